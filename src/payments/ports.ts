/**
 * The ports the payment domain needs. Adapters live elsewhere (order sources in
 * src/payments/order-sources/, stores in src/store/); domain functions take these as
 * arguments so that the browser's `payment.complete` and the webhook run the same code.
 */

import type { PaymentDetails } from "./payment-details.js";
import type { PaymentRecordStatus } from "./payment-statuses.js";

export type { PaymentDetails } from "./payment-details.js";

export type { PaymentRecordStatus } from "./payment-statuses.js";

/** What the shop says an order costs. The browser's idea of the amount is never used. */
export interface Order {
  readonly orderId: string;
  /** The customer allowed to see and pay this order; null for guest orders. */
  readonly customerId: string | null;
  readonly orderName: string;
  /** Smallest currency unit, as PortOne counts it (KRW has no minor unit). */
  readonly totalAmount: number;
  readonly taxFreeAmount?: number;
  /** PortOne `Currency` code, e.g. "KRW". */
  readonly currency: string;
  readonly customer?: {
    readonly fullName?: string;
    readonly email?: string;
    readonly phoneNumber?: string;
  };
}

export interface OrderSource {
  /** null when the shop does not know the order. */
  getOrder(orderId: string): Promise<Order | null>;
}

/** A PortOne channel's type: a paid payment must come from the kind the service expects. */
export type ChannelType = "LIVE" | "TEST";

export interface PaymentRecord {
  readonly paymentId: string;
  readonly orderId: string;
  readonly customerId: string | null;
  readonly totalAmount: number;
  readonly currency: string;
  readonly status: PaymentRecordStatus;
  /** Why a payment is MISMATCH, e.g. "amount 1000 != order 50000". */
  readonly mismatchReason: string | null;
  /** Incremented on every change; updates are compare-and-set on it so syncs can race. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When a sync last confirmed this record with PortOne (changed or not); null until one has.
   * Reads answer from the record while this is recent enough (see read-payment.ts).
   */
  readonly syncedAt: string | null;
  /** What PortOne said about the payment at `syncedAt`, for the view; null before PortOne knew it. */
  readonly details: PaymentDetails | null;
  /**
   * The status last announced, while a change is still owed to a sink published after the
   * commit (an embedder's own sink; before the outbox was transactional, every sink): cleared
   * once PaymentStatusChanged was published to it, so a change whose event got lost (the sink
   * failed, the process died) is announced again by a later sync. A change whose only durable
   * sink is the outbox never sets it: its event commits with it.
   */
  readonly unpublishedPreviousStatus: PaymentRecordStatus | null;
  /**
   * For a guest order (customerId null): the SHA-256 of the guest token its first
   * `payment.prepare` returned, which every later call about it must present. Never the token.
   */
  readonly guestTokenHash: string | null;
}

export type NewPaymentRecord = Pick<
  PaymentRecord,
  "paymentId" | "orderId" | "customerId" | "totalAmount" | "currency"
> &
  Partial<Pick<PaymentRecord, "guestTokenHash">>;

export interface PaymentRecordUpdate {
  readonly status: PaymentRecordStatus;
  readonly mismatchReason: string | null;
  readonly details: PaymentDetails | null;
  readonly syncedAt: string;
}

export interface PaymentRecordStore {
  /**
   * Creates the record, or returns the existing one for the same paymentId or the same
   * orderId (an order has one paymentId: PortOne lets it be attempted many times but paid once).
   */
  insertPaymentRecord(record: NewPaymentRecord): Promise<PaymentRecord>;
  getPaymentRecord(paymentId: string): Promise<PaymentRecord | null>;
  findPaymentRecordByOrderId(orderId: string): Promise<PaymentRecord | null>;
  /**
   * Applies the update only if the stored version is still `expectedVersion`.
   * Returns the new record, or null when another writer got there first.
   */
  updatePaymentRecord(
    paymentId: string,
    expectedVersion: number,
    update: PaymentRecordUpdate,
  ): Promise<PaymentRecord | null>;
  /**
   * Records that a sync confirmed the record as it is at `version` (nothing else changes, not
   * even `updatedAt` or the version). Returns the record, or null when it changed meanwhile.
   */
  markPaymentSynced(
    paymentId: string,
    version: number,
    syncedAt: string,
  ): Promise<PaymentRecord | null>;
  /**
   * Writes a status change and, with `change.outbox`, its event into that outbox in the same
   * transaction: the event is durable exactly when the change is. Compare-and-set on the
   * version and the unpublished mark as the writer read them (the event's previousStatus comes
   * from that mark). Returns the new record, or null when another writer got there first
   * (nothing is written then).
   */
  recordStatusChange(paymentId: string, change: StatusChangeWrite): Promise<PaymentRecord | null>;
  /** Clears `unpublishedPreviousStatus` if the record is still at `version`. */
  markPaymentEventPublished(paymentId: string, version: number): Promise<void>;
  /** Records changed since `since` (ISO time), oldest first: input to reconciliation. */
  listPaymentRecordsUpdatedSince(since: string, limit: number): Promise<PaymentRecord[]>;
}

/**
 * Published by `syncPayment` whenever a record's status changes (including to MISMATCH),
 * so internal services learn of paid, failed, cancelled and tampered payments whichever path
 * (browser `payment.complete`, webhook, reconciliation) noticed first.
 */
export interface PaymentStatusChanged {
  readonly type: "PaymentStatusChanged";
  readonly paymentId: string;
  /** The record version that holds this change: with paymentId, it names the change. */
  readonly version: number;
  readonly orderId: string;
  readonly customerId: string | null;
  readonly previousStatus: PaymentRecordStatus;
  readonly status: PaymentRecordStatus;
  readonly mismatchReason: string | null;
  readonly occurredAt: string;
}

/** Where status changes go: the webhook outbox (durable fan-out to subscribers). */
export interface PaymentEventSink {
  publish(event: PaymentStatusChanged): Promise<void>;
}

/** A status change as `recordStatusChange` writes it. */
export interface StatusChangeWrite {
  /** The record's version as the writer read it. */
  readonly expectedVersion: number;
  /** The record's `unpublishedPreviousStatus` as the writer read it. */
  readonly expectedUnpublished: PaymentRecordStatus | null;
  readonly update: PaymentRecordUpdate;
  /** The change's announcement (its version is expectedVersion + 1). */
  readonly event: PaymentStatusChanged;
  /** Written in the change's own transaction; null when the service has no outbox. */
  readonly outbox: PaymentEventOutbox | null;
  /**
   * Leaves the change marked unpublished (`unpublishedPreviousStatus` = event.previousStatus)
   * for the sinks published after the commit, until `markPaymentEventPublished`; otherwise the
   * mark is cleared, since the outbox (if any) already holds the event.
   */
  readonly markUnpublished: boolean;
}

/**
 * A sink that is a table in the payment records' own database (the webhook inbox): the records
 * store inserts the event in the transaction of the change it announces (a transactional
 * outbox). `publish` inserts on its own, for a change announced late (its mark outlived its
 * writer). The statement is the store adapter's business; the domain only passes it along.
 */
export interface PaymentEventOutbox extends PaymentEventSink {
  /**
   * Opens the write of `event` into the change's transaction. The records store must settle
   * the returned write exactly once, after that transaction ended (committed or not): the
   * outbox may have set something aside for it (a dispatch slot for an event it stores leased
   * to its own dispatcher).
   */
  beginWrite(event: PaymentStatusChanged): OutboxWrite;
}

/** One event being written by the records store, in the transaction of its change. */
export interface OutboxWrite {
  /**
   * The INSERT of the event (a duplicate id inserts nothing), in the records store's dialect;
   * the same text every time for one dialect and target, so the store may prepare it once.
   */
  statement(target: OutboxStatementTarget): OutboxStatement;
  /**
   * After the transaction: `inserted` is true only when it committed the event's row (false
   * when it failed, the change lost its race, or the outbox already held the event), so that
   * the outbox dispatches it promptly.
   */
  settle(inserted: boolean): void;
}

export type OutboxStatementTarget =
  | { readonly dialect: "sqlite" }
  | {
      readonly dialect: "postgres";
      /** The statement's first placeholder is `$firstParameter`. */
      readonly firstParameter: number;
      /** A CTE name: one row is inserted per row it holds (none when the update lost its race). */
      readonly perRowOf: string;
    };

export interface OutboxStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/**
 * The slice of PortOne's payment API the domain calls. `PortOneClient(...).payment` from
 * src/sdk (and from @portone/server-sdk) satisfies it as is; tests and wrappers (metrics)
 * can provide their own.
 */
export interface PortOnePaymentApi {
  getPayment(options: { paymentId: string }): Promise<PortOnePayment>;
  preRegisterPayment(options: {
    paymentId: string;
    totalAmount?: number;
    taxFreeAmount?: number;
    currency?: string;
  }): Promise<unknown>;
  confirmPayment(options: {
    paymentId: string;
    paymentToken: string;
    txId?: string;
    currency?: string;
    totalAmount?: number;
    taxFreeAmount?: number;
    isTest?: boolean;
  }): Promise<unknown>;
  /** Payments whose status changed in a window, a page at a time (reconciliation's sweep). */
  getPayments(options: {
    page?: { number?: number; size?: number };
    filter?: {
      storeId?: string;
      timestampType?: "CREATED_AT" | "STATUS_CHANGED_AT";
      from?: string;
      until?: string;
    };
  }): Promise<{
    items: readonly PortOnePayment[];
    page: { readonly number: number; readonly size: number; readonly totalCount: number };
  }>;
}

/**
 * What the domain reads of PortOne's `Payment`. Everything but `status` is optional because
 * PortOne may answer with a status this code does not know yet (outputs grow over time).
 */
export interface PortOnePayment {
  /** A string at runtime; the SDK types statuses it does not know as a branded symbol. */
  readonly status: string | symbol;
  readonly id?: string;
  readonly transactionId?: string;
  readonly orderName?: string;
  readonly amount?: {
    readonly total: number;
    readonly taxFree?: number;
    readonly paid?: number;
    readonly cancelled?: number;
  };
  readonly currency?: string;
  readonly channel?: { readonly type: string | symbol };
  readonly method?: PortOnePaymentMethod;
  readonly requestedAt?: string;
  readonly updatedAt?: string;
  readonly statusChangedAt?: string;
  readonly paidAt?: string;
  readonly failedAt?: string;
  readonly cancelledAt?: string;
  readonly receiptUrl?: string;
}

export interface PortOnePaymentMethod {
  readonly type: string | symbol;
  /** Present on `PaymentMethodVirtualAccount`. */
  readonly bank?: string;
  readonly accountNumber?: string;
  readonly expiredAt?: string;
}
