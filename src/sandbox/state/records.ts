import type { SelectedChannel } from "../../sdk/generated/common/types.js";
import type { PaymentCancellation, PaymentWebhook } from "../../sdk/generated/payment/types.js";

/**
 * What the sandbox stores. Records hold PortOne's own field names and JSON shapes so that the
 * views in domain/views.ts are mostly selection, and a persisted file reads like API output.
 */

export type TransactionStatus =
  | "READY"
  | "PAY_PENDING"
  | "VIRTUAL_ACCOUNT_ISSUED"
  | "PAID"
  | "FAILED"
  | "PARTIAL_CANCELLED"
  | "CANCELLED";

export type JsonObject = Record<string, unknown>;

export interface AmountRecord {
  total: number;
  taxFree: number;
  vat: number;
  supply: number;
  discount: number;
  paid: number;
  cancelled: number;
  cancelledTaxFree: number;
}

/**
 * PortOne's `PaymentCancellation`: SUCCEEDED at once, or REQUESTED on a channel whose PG cancels
 * asynchronously until the PG settles it (SUCCEEDED / FAILED) or stopPaymentCancellation stops
 * it (FAILED). Only SUCCEEDED ones count in the payment's amounts.
 */
export type CancellationRecord = Exclude<PaymentCancellation, { readonly status: symbol }>;

/** One attempt to pay a payment id (PortOne's transaction; its id is the browser's txId). */
export interface TransactionRecord {
  id: string;
  paymentId: string;
  storeId: string;
  status: TransactionStatus;
  requestedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  orderName: string;
  currency: string;
  amount: AmountRecord;
  customer: JsonObject;
  /** The channel it went through (absent in files from before channels: the default one). */
  channelKey?: string;
  method?: JsonObject;
  origin: { platformType: "PC" | "MOBILE" | "API"; ipAddress: string; userAgent?: string };
  customData?: string;
  products?: JsonObject[];
  productCount?: number;
  country?: string;
  isCulturalExpense?: boolean;
  promotionId?: string;
  billingKey?: string;
  scheduleId?: string;
  pgTxId?: string;
  paidAt?: string;
  failedAt?: string;
  failure?: { reason?: string; pgCode?: string; pgMessage?: string };
  cancelledAt?: string;
  cancellations: CancellationRecord[];
  /** Manual confirmation: the token the browser got; cleared once used. Never shown. */
  paymentToken?: string;
  /** What the PG will charge on manual confirmation (tamper simulation). */
  pendingPaidAmount?: number;
  /** On a manual-capture channel: authorised when paid, captured by capturePayment. */
  capture?: { status: "AUTHORIZED" | "CAPTURED"; capturedAt?: string };
  /** PortOne's `PaymentEscrow` of an escrow payment (BEFORE_REGISTERED until logistics come). */
  escrow?: JsonObject;
  /** Receipts of the sub-stores the payment was for (registerStoreReceipt). */
  storeReceipts?: JsonObject[];
  /** The cash receipt the customer asked for at a transfer / virtual account checkout. */
  cashReceiptRequest?: { type: "PERSONAL" | "CORPORATE"; identityNumber: string };
}

export interface PreRegistration {
  totalAmount?: number;
  taxFreeAmount?: number;
  currency?: string;
}

/** A PortOne `PaymentWebhook`: one event to one endpoint, updated on every attempt. */
export type WebhookRecord = PaymentWebhook & {
  currentExecutionCount: number;
  maxExecutionCount: number;
  triggeredAt: string;
};

export interface SandboxPaymentRecord {
  id: string;
  storeId: string;
  preRegistration?: PreRegistration;
  transactions: TransactionRecord[];
  webhooks: WebhookRecord[];
}

export interface BillingKeyRecord {
  status: "ISSUED" | "DELETED";
  billingKey: string;
  merchantId: string;
  storeId: string;
  methods: JsonObject[];
  channels: SelectedChannel[];
  customer: JsonObject;
  customData?: string;
  requestedAt: string;
  issuedAt: string;
  deletedAt?: string;
}

/** A `requestIdentityVerification` attempt, kept in PortOne's `IdentityVerification` shape. */
export interface IdentityVerificationRecord {
  status: "READY" | "VERIFIED" | "FAILED";
  id: string;
  storeId: string;
  channel: SelectedChannel;
  requestedCustomer: JsonObject;
  verifiedCustomer?: JsonObject;
  customData?: string;
  requestedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  verifiedAt?: string;
  pgTxId?: string;
  pgRawResponse?: string;
  failure?: { reason?: string; pgCode?: string; pgMessage?: string };
  /** sendIdentityVerification: the code the PG texted, and when; cleared once verified. */
  otp?: string;
  sentAt?: string;
  /** The operator and method the send asked for, kept for the verified customer. */
  sent?: { operator: string; method: string; name: string; phoneNumber: string };
}

export type ScheduleStatus = "SCHEDULED" | "STARTED" | "SUCCEEDED" | "FAILED" | "REVOKED";

export interface ScheduleRecord {
  status: ScheduleStatus;
  id: string;
  merchantId: string;
  storeId: string;
  paymentId: string;
  billingKey: string;
  orderName: string;
  isCulturalExpense: boolean;
  isEscrow: boolean;
  customer: JsonObject;
  customData: string;
  totalAmount: number;
  taxFreeAmount?: number;
  vatAmount?: number;
  currency: string;
  installmentMonth?: number;
  noticeUrls?: string[];
  products?: JsonObject[];
  createdAt: string;
  timeToPay: string;
  startedAt?: string;
  completedAt?: string;
  revokedAt?: string;
  /** The full payWithBillingKey input, replayed when the schedule falls due. */
  paymentInput: JsonObject;
}

export interface IdempotencyRecord {
  fingerprint: string;
  statusCode: number;
  body: string;
  contentType: string;
  /** Sandbox clock, ms. */
  expiresAt: number;
}

/**
 * A channel of the sandbox's store: PortOne's `SelectedChannel` plus how its (simulated) PG
 * behaves. LIVE channels exist so that code insisting on `channel.type === "LIVE"` runs; no
 * money moves on any of them.
 */
export interface ChannelRecord {
  key: string;
  id: string;
  name: string;
  type: "TEST" | "LIVE";
  pgProvider: string;
  pgMerchantId: string;
  /** MANUAL: payments stay authorised until capturePayment. */
  capture: "AUTOMATIC" | "MANUAL";
  /** PENDING: cancellations wait for the PG (Transaction.CancelPending) until settled or stopped. */
  cancellation: "IMMEDIATE" | "PENDING";
  /** MANUAL: the browser's billing key issue ends with a billingIssueToken for confirmBillingKey. */
  billingKeyConfirmation: "AUTOMATIC" | "MANUAL";
}

/** PortOne's `CashReceipt` (ISSUED or CANCELLED), one per payment id. */
export interface CashReceiptRecord {
  status: "ISSUED" | "CANCELLED";
  merchantId: string;
  storeId: string;
  paymentId: string;
  channel: SelectedChannel;
  amount: number;
  taxFreeAmount: number;
  vatAmount: number;
  currency: string;
  orderName: string;
  /** Issued by issueCashReceipt (true) or with a PortOne payment (false). */
  isManual: boolean;
  type: "PERSONAL" | "CORPORATE";
  pgReceiptId: string;
  issueNumber: string;
  url: string;
  issuedAt: string;
  cancelledAt?: string;
  statusUpdatedAt: string;
}

/** One entry of the payment event stream (getAllPaymentEventsByCursor). */
export interface PaymentEventRecord {
  type: "PAID" | "PARTIAL_CANCELLED" | "CANCELLED";
  id: string;
  paymentId: string;
  transactionId: string;
  createdAt: string;
  /** Money this event moved: positive when paid, negative when cancelled. */
  eventAmount: number;
  /** The payment's amounts right after the event. */
  totalAmount: AmountRecord;
  cancellationId?: string;
}

/** PortOne's `Promotion` (a card promotion), as the sandbox was given it. */
export type PromotionRecord = JsonObject & { id: string; storeId: string };

/** A checkout profile: which payment method goes through which channel, for which orders. */
export interface CheckoutProfileRecord {
  key: string;
  methods: {
    paymentMethod: string;
    channelKey: string;
    /** Absent: any. */
    currencies?: string[];
    countries?: string[];
    minAmount?: number;
    maxAmount?: number;
  }[];
}

/** PortOne's `PaymentSession`, plus when it was closed. */
export type PaymentSessionRecord = JsonObject & {
  id: string;
  storeId: string;
  paymentId: string;
  expiresAt: string;
  closedAt?: string;
};

/** A billing key the PG authenticated that waits for confirmBillingKey (manual confirmation). */
export interface BillingIssueRecord {
  token: string;
  /** Issued as it is once confirmed. */
  billingKey: BillingKeyRecord;
  /** requestIssueBillingKeyAndPay: the payWithBillingKey body (without the key) to run then. */
  payment?: { paymentId: string; input: JsonObject };
  /** Set once confirmed; the token cannot issue twice. */
  confirmedAt?: string;
}
