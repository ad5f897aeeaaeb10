import type { PaymentView } from "../payments/payment-view.js";

export type { PaymentView };

/**
 * The one internal event shape that every inbound webhook (2024-04-25 or legacy 2024-01-01)
 * and every internal status change is normalised to before it is stored and fanned out.
 */

/** Where an event came from: a PortOne webhook, or this service's own payment sync. */
export type EventSource = "portone" | "internal";

/** The wire format the event arrived in; "internal" for events this service emits itself. */
export type EventFormat = "2024-04-25" | "2024-01-01" | "internal";

export interface TransactionEventData {
  readonly storeId?: string;
  readonly paymentId: string;
  readonly transactionId: string;
  readonly [field: string]: unknown;
}

export interface TransactionCancellationEventData extends TransactionEventData {
  readonly cancellationId: string;
}

export interface TransactionConfirmEventData extends TransactionEventData {
  readonly totalAmount: number;
}

export interface BillingKeyEventData {
  readonly storeId: string;
  readonly billingKey: string;
  readonly [field: string]: unknown;
}

export interface PaymentStatusChangedEventData {
  readonly paymentId: string;
  /** The payment record's version after this change (increases with every change). */
  readonly version: number;
  readonly orderId: string;
  readonly customerId: string | null;
  readonly previousStatus: string;
  readonly status: string;
  readonly mismatchReason: string | null;
}

/** The `data` of every event type this version knows; other types still flow through `*`. */
export interface KnownEventData {
  "Transaction.Ready": TransactionEventData;
  "Transaction.Paid": TransactionEventData;
  "Transaction.VirtualAccountIssued": TransactionEventData;
  "Transaction.Failed": TransactionEventData;
  "Transaction.PayPending": TransactionEventData;
  "Transaction.DisputeCreated": TransactionEventData;
  "Transaction.DisputeResolved": TransactionEventData;
  "Transaction.Confirm": TransactionConfirmEventData;
  "Transaction.PartialCancelled": TransactionCancellationEventData;
  "Transaction.Cancelled": TransactionCancellationEventData;
  "Transaction.CancelPending": TransactionCancellationEventData;
  "BillingKey.Ready": BillingKeyEventData;
  "BillingKey.Issued": BillingKeyEventData;
  "BillingKey.Failed": BillingKeyEventData;
  "BillingKey.Deleted": BillingKeyEventData;
  "BillingKey.Updated": BillingKeyEventData;
  PaymentStatusChanged: PaymentStatusChangedEventData;
}

export type KnownEventType = keyof KnownEventData;

/** A normalised event as it is stored in the inbox. */
export interface InboundEvent<Type extends string = string, Data = Record<string, unknown>> {
  /** The `webhook-id` (PortOne's, stable across its retries) or a generated id for internal events. */
  readonly id: string;
  readonly source: EventSource;
  readonly format: EventFormat;
  readonly type: Type;
  /** When the triggering change happened (RFC 3339), as the sender reported it. */
  readonly occurredAt: string;
  readonly data: Data;
}

/**
 * What subscribers receive: the stored event plus, for `Transaction.*` events, the payment
 * as `syncPayment` saw it when the event was dispatched (null when it could not be synced).
 */
export interface DispatchedEvent<Type extends string = string, Data = Record<string, unknown>>
  extends InboundEvent<Type, Data> {
  readonly payment: PaymentView | null;
  /** Why `payment` is null for a transaction event, e.g. PortOne unreachable after retries. */
  readonly paymentSyncError?: string;
  /**
   * False when the service runs in sandbox mode: the event moved no real money, and no
   * consumer may treat it as if it had (ship goods, book revenue).
   */
  readonly livemode: boolean;
}

/** A subscription pattern: an exact type, a `Prefix.*` family, or `*` for everything. */
export type EventPattern = KnownEventType | `${string}.*` | "*" | (string & {});

/** The event type(s) a pattern selects, for typing handlers. */
export type TypesMatching<Pattern extends string> = Pattern extends "*"
  ? string
  : Pattern extends `${infer Prefix}.*`
    ? Extract<KnownEventType, `${Prefix}.${string}`>
    : Pattern;

/** The event a handler subscribed with `Pattern` receives. */
export type EventFor<Pattern extends string> = Pattern extends "*"
  ? DispatchedEvent
  : {
      [Type in TypesMatching<Pattern>]: DispatchedEvent<
        Type,
        Type extends KnownEventType ? KnownEventData[Type] : Record<string, unknown>
      >;
    }[TypesMatching<Pattern>];

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function isTransactionEvent(type: string): boolean {
  return type.startsWith("Transaction.");
}

/** The body every subscriber gets, byte for byte the same for one event. */
export function serialiseDispatchedEvent(event: DispatchedEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    source: event.source,
    format: event.format,
    timestamp: event.occurredAt,
    livemode: event.livemode,
    data: event.data,
    payment: event.payment,
    ...(event.paymentSyncError ? { paymentSyncError: event.paymentSyncError } : {}),
  });
}

export function parseDispatchedEvent(body: string): DispatchedEvent {
  const parsed = JSON.parse(body) as {
    id: string;
    type: string;
    source: EventSource;
    format: EventFormat;
    timestamp: string;
    livemode: boolean;
    data: Record<string, unknown>;
    payment: PaymentView | null;
    paymentSyncError?: string;
  };
  return {
    id: parsed.id,
    type: parsed.type,
    source: parsed.source,
    format: parsed.format,
    occurredAt: parsed.timestamp,
    // Bodies frozen before the field existed were all produced without the flag: say "test"
    // only when it says so, as those came from live as well as sandbox services.
    livemode: parsed.livemode !== false,
    data: parsed.data,
    payment: parsed.payment,
    ...(parsed.paymentSyncError ? { paymentSyncError: parsed.paymentSyncError } : {}),
  };
}
