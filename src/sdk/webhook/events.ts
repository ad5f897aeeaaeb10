import type { Unrecognized } from "../runtime/unrecognized.js";

/*
 * Webhook bodies of PortOne's 2024-04-25 format. The type names are those of
 * @portone/server-sdk 0.19, so that code written against it compiles unchanged.
 */

// Object type aliases, not interfaces, like the official package's: aliases get an implicit
// index signature, so `webhook.data` stays assignable to `Record<string, unknown>`.

/** Every 2024-04-25 webhook: what happened, when (RFC 3339, unchanged on redelivery), details. */
type WebhookEnvelope<Type extends string, Data> = {
  type: Type;
  /** When the triggering event happened (RFC 3339); the same on every redelivery. */
  timestamp: string;
  data: Data;
};

/** Details of a payment (transaction) event. */
type TransactionDetails = {
  /** The merchant's own payment id. */
  paymentId: string;
  storeId: string;
  /** PortOne's id of this payment attempt; one payment may have several. */
  transactionId: string;
};

/** Details of a cancellation event. */
type CancellationDetails = {
  paymentId: string;
  storeId: string;
  transactionId: string;
  /** PortOne's id of this cancellation. */
  cancellationId: string;
};

/** Details of a billing-key event. */
type BillingKeyDetails = {
  billingKey: string;
  storeId: string;
};

export type WebhookTransactionDataReady = TransactionDetails;
export type WebhookTransactionDataPaid = TransactionDetails;
export type WebhookTransactionDataVirtualAccountIssued = TransactionDetails;
export type WebhookTransactionDataFailed = TransactionDetails;
export type WebhookTransactionDataPayPending = TransactionDetails;
export type WebhookTransactionDataDisputeCreated = TransactionDetails;
export type WebhookTransactionDataDisputeResolved = TransactionDetails;
export type WebhookTransactionDataConfirm = {
  paymentId: string;
  storeId: string;
  transactionId: string;
  /** The amount the payment asks for, to approve or refuse in the confirm process. */
  totalAmount: number;
};
export type WebhookTransactionCancelledDataPartialCancelled = CancellationDetails;
export type WebhookTransactionCancelledDataCancelled = CancellationDetails;
export type WebhookTransactionCancelledDataCancelPending = CancellationDetails;

/** The payment window opened. */
export type WebhookTransactionReady = WebhookEnvelope<
  "Transaction.Ready",
  WebhookTransactionDataReady
>;
/** The payment (including a scheduled one) was approved. */
export type WebhookTransactionPaid = WebhookEnvelope<
  "Transaction.Paid",
  WebhookTransactionDataPaid
>;
/** A virtual account was issued and awaits the deposit. */
export type WebhookTransactionVirtualAccountIssued = WebhookEnvelope<
  "Transaction.VirtualAccountIssued",
  WebhookTransactionDataVirtualAccountIssued
>;
/** The payment failed. */
export type WebhookTransactionFailed = WebhookEnvelope<
  "Transaction.Failed",
  WebhookTransactionDataFailed
>;
/** The payment awaits asynchronous approval. */
export type WebhookTransactionPayPending = WebhookEnvelope<
  "Transaction.PayPending",
  WebhookTransactionDataPayPending
>;
/** The confirm process asks the merchant to approve the payment. */
export type WebhookTransactionConfirm = WebhookEnvelope<
  "Transaction.Confirm",
  WebhookTransactionDataConfirm
>;
/** A dispute was opened. */
export type WebhookTransactionDisputeCreated = WebhookEnvelope<
  "Transaction.DisputeCreated",
  WebhookTransactionDataDisputeCreated
>;
/** A dispute was resolved. */
export type WebhookTransactionDisputeResolved = WebhookEnvelope<
  "Transaction.DisputeResolved",
  WebhookTransactionDataDisputeResolved
>;
/** Part of the payment was cancelled. */
export type WebhookTransactionCancelledPartialCancelled = WebhookEnvelope<
  "Transaction.PartialCancelled",
  WebhookTransactionCancelledDataPartialCancelled
>;
/** The whole payment was cancelled. */
export type WebhookTransactionCancelledCancelled = WebhookEnvelope<
  "Transaction.Cancelled",
  WebhookTransactionCancelledDataCancelled
>;
/** A cancellation was requested and completes asynchronously. */
export type WebhookTransactionCancelledCancelPending = WebhookEnvelope<
  "Transaction.CancelPending",
  WebhookTransactionCancelledDataCancelPending
>;

export type WebhookTransactionCancelledData =
  | WebhookTransactionCancelledDataPartialCancelled
  | WebhookTransactionCancelledDataCancelled
  | WebhookTransactionCancelledDataCancelPending;

export type WebhookTransactionCancelled =
  | WebhookTransactionCancelledPartialCancelled
  | WebhookTransactionCancelledCancelled
  | WebhookTransactionCancelledCancelPending;

export type WebhookTransactionData =
  | WebhookTransactionDataReady
  | WebhookTransactionDataPaid
  | WebhookTransactionDataVirtualAccountIssued
  | WebhookTransactionDataFailed
  | WebhookTransactionDataPayPending
  | WebhookTransactionDataConfirm
  | WebhookTransactionDataDisputeCreated
  | WebhookTransactionDataDisputeResolved
  | WebhookTransactionCancelledData;

/** Payment events. */
export type WebhookTransaction =
  | WebhookTransactionReady
  | WebhookTransactionPaid
  | WebhookTransactionVirtualAccountIssued
  | WebhookTransactionFailed
  | WebhookTransactionPayPending
  | WebhookTransactionConfirm
  | WebhookTransactionDisputeCreated
  | WebhookTransactionDisputeResolved
  | WebhookTransactionCancelled;

export type WebhookBillingKeyDataReady = BillingKeyDetails;
export type WebhookBillingKeyDataIssued = BillingKeyDetails;
export type WebhookBillingKeyDataFailed = BillingKeyDetails;
export type WebhookBillingKeyDataDeleted = BillingKeyDetails;
export type WebhookBillingKeyDataUpdated = BillingKeyDetails;

/** The billing-key window opened. */
export type WebhookBillingKeyReady = WebhookEnvelope<
  "BillingKey.Ready",
  WebhookBillingKeyDataReady
>;
/** A billing key was issued. */
export type WebhookBillingKeyIssued = WebhookEnvelope<
  "BillingKey.Issued",
  WebhookBillingKeyDataIssued
>;
/** Issuing a billing key failed. */
export type WebhookBillingKeyFailed = WebhookEnvelope<
  "BillingKey.Failed",
  WebhookBillingKeyDataFailed
>;
/** A billing key was deleted. */
export type WebhookBillingKeyDeleted = WebhookEnvelope<
  "BillingKey.Deleted",
  WebhookBillingKeyDataDeleted
>;
/** A billing key was updated. */
export type WebhookBillingKeyUpdated = WebhookEnvelope<
  "BillingKey.Updated",
  WebhookBillingKeyDataUpdated
>;

export type WebhookBillingKeyData =
  | WebhookBillingKeyDataReady
  | WebhookBillingKeyDataIssued
  | WebhookBillingKeyDataFailed
  | WebhookBillingKeyDataDeleted
  | WebhookBillingKeyDataUpdated;

/** Billing-key events. */
export type WebhookBillingKey =
  | WebhookBillingKeyReady
  | WebhookBillingKeyIssued
  | WebhookBillingKeyFailed
  | WebhookBillingKeyDeleted
  | WebhookBillingKeyUpdated;

/**
 * A 2024-04-25 webhook. PortOne adds event types without notice, so the union has a member whose
 * `type` is `Unrecognized`: narrow with `isUnrecognizedWebhook` (or a `switch` on `type`) first.
 */
export type Webhook = WebhookTransaction | WebhookBillingKey | { readonly type: Unrecognized };

/** Every webhook `type` this SDK version knows, in the order of PortOne's documentation. */
export const WEBHOOK_TYPES = [
  "Transaction.Ready",
  "Transaction.Paid",
  "Transaction.VirtualAccountIssued",
  "Transaction.Failed",
  "Transaction.PayPending",
  "Transaction.Confirm",
  "Transaction.DisputeCreated",
  "Transaction.DisputeResolved",
  "Transaction.PartialCancelled",
  "Transaction.Cancelled",
  "Transaction.CancelPending",
  "BillingKey.Ready",
  "BillingKey.Issued",
  "BillingKey.Failed",
  "BillingKey.Deleted",
  "BillingKey.Updated",
] as const satisfies readonly Exclude<Webhook, { readonly type: Unrecognized }>["type"][];

const knownWebhookTypes: ReadonlySet<unknown> = /* @__PURE__ */ new Set(WEBHOOK_TYPES);

/** True when this SDK version does not know the webhook's `type` (a newer or legacy event). */
export function isUnrecognizedWebhook(
  webhook: Webhook,
): webhook is { readonly type: Unrecognized } {
  return !knownWebhookTypes.has(webhook.type);
}
