import type { SelectedChannel } from "../../sdk/generated/common/types.js";
import type {
  PaymentWebhook,
  SucceededPaymentCancellation,
} from "../../sdk/generated/payment/types.js";

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

export type CancellationRecord = SucceededPaymentCancellation;

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
