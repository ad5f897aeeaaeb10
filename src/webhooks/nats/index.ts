/**
 * `portone-bff/events`: what an internal TypeScript service needs to read the events this
 * service publishes to NATS JetStream — the event types (the same JSON HTTP subscribers get)
 * and a durable, explicitly acknowledged consumer.
 */
export type {
  BillingKeyEventData,
  DispatchedEvent,
  EventFor,
  EventFormat,
  EventPattern,
  EventSource,
  KnownEventData,
  KnownEventType,
  PaymentStatusChangedEventData,
  PaymentView,
  TransactionCancellationEventData,
  TransactionConfirmEventData,
  TransactionEventData,
} from "../event.js";
export { matchesPattern, parseDispatchedEvent } from "../event.js";
export {
  type ConsumeEventsOptions,
  consumeEvents,
  type EventConsumption,
  type EventMessageContext,
  parseEventMessage,
} from "./consumer.js";
export {
  DEFAULT_EVENT_STREAM,
  DEFAULT_SUBJECT_PREFIX,
  subjectFilterForPattern,
  subjectForEventType,
} from "./subjects.js";
