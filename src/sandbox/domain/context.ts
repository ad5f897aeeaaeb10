import type { Clock } from "../options.js";
import type { TransactionStatus } from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";

/** A state change PortOne announces by webhook (2024-04-25 `type` and `data`). */
export interface SandboxEvent {
  type: string;
  data: Record<string, unknown>;
  /** Set for transaction events: attempts are recorded in that payment's `webhooks`. */
  paymentId?: string;
  paymentStatus?: TransactionStatus;
  /** PortOne's `PaymentWebhookTrigger`, when the change did not come from an API call. */
  trigger?: string;
}

export interface EventPublisher {
  publish(event: SandboxEvent): void;
}

/** The ports every domain function receives. */
export interface DomainContext {
  state: SandboxState;
  clock: Clock;
  events: EventPublisher;
}
