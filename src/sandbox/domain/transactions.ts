import { randomBytes, randomUUID } from "node:crypto";
import { isoAt } from "../clock.js";
import { PortOneApiError } from "../http/api-error.js";
import type {
  AmountRecord,
  ChannelRecord,
  JsonObject,
  SandboxPaymentRecord,
  TransactionRecord,
  TransactionStatus,
} from "../state/records.js";
import { paymentAmount } from "./amounts.js";
import { issueRequestedCashReceipt } from "./cash-receipts.js";
import { recordedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { recordPaymentEvent } from "./payment-events.js";
import { spendPromotionBudget } from "./promotions.js";

export const newTransactionId = (): string => randomUUID();
export const newPgTxId = (): string => `sandbox-pg-${randomBytes(9).toString("hex")}`;

/** States a payment reaches only through money moving; another attempt can no longer win. */
const settled = new Set<TransactionStatus>(["PAID", "PARTIAL_CANCELLED", "CANCELLED"]);
/** States in which the payment is waiting for money that is on its way. */
const pending = new Set<TransactionStatus>(["VIRTUAL_ACCOUNT_ISSUED", "PAY_PENDING"]);

export function isSettled(status: TransactionStatus): boolean {
  return settled.has(status);
}

export function isPending(status: TransactionStatus): boolean {
  return pending.has(status);
}

const METHOD_TYPES: Record<string, string> = {
  PaymentMethodCard: "CARD",
  PaymentMethodTransfer: "TRANSFER",
  PaymentMethodVirtualAccount: "VIRTUAL_ACCOUNT",
  PaymentMethodGiftCertificate: "GIFT_CERTIFICATE",
  PaymentMethodMobile: "MOBILE",
  PaymentMethodEasyPay: "EASY_PAY",
  PaymentMethodConvenienceStore: "CONVENIENCE_STORE",
  PaymentMethodCrypto: "CRYPTO",
};

/** The PortOne method type (CARD, TRANSFER, ...) of a transaction's `PaymentMethod*` record. */
export function methodTypeOf(tx: TransactionRecord): string | undefined {
  const type = tx.method?.type;
  return typeof type === "string" && Object.hasOwn(METHOD_TYPES, type)
    ? METHOD_TYPES[type]
    : undefined;
}

/**
 * The transaction PortOne shows as "the payment": the settled one if any, else one waiting for
 * money, else the latest attempt.
 */
export function currentTransaction(payment: SandboxPaymentRecord): TransactionRecord | undefined {
  const { transactions } = payment;
  return (
    transactions.find((tx) => settled.has(tx.status)) ??
    [...transactions].reverse().find((tx) => pending.has(tx.status)) ??
    transactions.at(-1)
  );
}

export function assertStore(ctx: DomainContext, storeId: unknown): void {
  if (storeId !== undefined && storeId !== null && storeId !== ctx.state.credentials.storeId) {
    throw new PortOneApiError(
      "FORBIDDEN",
      `This API secret has no access to store ${String(storeId)}; use the sandbox's storeId ${ctx.state.credentials.storeId} or leave storeId out.`,
    );
  }
}

/** Once one attempt of a payment id has moved money, no other attempt may start or win. */
export function assertNotPaid(payment: SandboxPaymentRecord): void {
  const current = currentTransaction(payment);
  if (current && isSettled(current.status)) {
    throw new PortOneApiError("ALREADY_PAID", `Payment ${payment.id} is already paid.`);
  }
}

export function assertWaitingForDeposit(tx: TransactionRecord): void {
  if (tx.status !== "VIRTUAL_ACCOUNT_ISSUED") {
    throw new PortOneApiError(
      "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
      `Payment ${tx.paymentId} is ${tx.status}, not waiting for a deposit.`,
    );
  }
}

export function findPayment(ctx: DomainContext, paymentId: string) {
  const payment = ctx.state.payments.get(paymentId);
  const tx = payment && currentTransaction(payment);
  if (!payment || !tx) {
    throw new PortOneApiError("PAYMENT_NOT_FOUND", `No payment with id ${paymentId}.`);
  }
  return { payment, tx };
}

export function paymentRecordFor(ctx: DomainContext, paymentId: string): SandboxPaymentRecord {
  let payment = ctx.state.payments.get(paymentId);
  if (!payment) {
    payment = {
      id: paymentId,
      storeId: ctx.state.credentials.storeId,
      transactions: [],
      webhooks: [],
    };
    ctx.state.payments.set(paymentId, payment);
  }
  return payment;
}

export function setStatus(tx: TransactionRecord, status: TransactionStatus, at: string): void {
  tx.status = status;
  tx.statusChangedAt = at;
  tx.updatedAt = at;
}

/** What a new attempt records besides its status and dates. */
export interface TransactionOpening {
  storeId: string;
  orderName: string;
  currency: string;
  amount: AmountRecord;
  customer: JsonObject;
  method?: JsonObject;
  platformType: TransactionRecord["origin"]["platformType"];
  /** The channel the attempt goes through. */
  channel: ChannelRecord;
  /** Optional request fields; undefined ones are left out of the record. */
  details?: Pick<
    Partial<TransactionRecord>,
    | "customData"
    | "products"
    | "productCount"
    | "country"
    | "isCulturalExpense"
    | "billingKey"
    | "scheduleId"
    | "escrow"
    | "cashReceiptRequest"
  >;
}

/** Starts a new READY attempt of `payment` (a checkout or a server-side charge). */
export function openTransaction(
  ctx: DomainContext,
  payment: SandboxPaymentRecord,
  opening: TransactionOpening,
): TransactionRecord {
  const now = isoAt(ctx.clock);
  const tx: TransactionRecord = {
    id: newTransactionId(),
    paymentId: payment.id,
    storeId: opening.storeId,
    status: "READY",
    requestedAt: now,
    updatedAt: now,
    statusChangedAt: now,
    orderName: opening.orderName,
    currency: opening.currency,
    amount: opening.amount,
    customer: opening.customer,
    channelKey: opening.channel.key,
    ...(opening.method ? { method: opening.method } : {}),
    origin: { platformType: opening.platformType, ipAddress: "127.0.0.1" },
    cancellations: [],
  };
  for (const [key, value] of Object.entries(opening.details ?? {})) {
    if (value !== undefined) Object.assign(tx, { [key]: value });
  }
  payment.transactions.push(tx);
  return tx;
}

/** Marks a transaction paid for `amount` (what the PG actually charged). */
export function markPaid(ctx: DomainContext, tx: TransactionRecord, amount?: number): void {
  const now = isoAt(ctx.clock);
  if (amount !== undefined && amount !== tx.amount.total) {
    const taxFree = Math.min(tx.amount.taxFree, amount);
    tx.amount = { ...paymentAmount(amount, taxFree), discount: tx.amount.discount };
  }
  // A card promotion's discount is the card company's: the customer pays the rest.
  tx.amount.paid = tx.amount.total - tx.amount.discount;
  if (tx.promotionId) spendPromotionBudget(ctx, tx.promotionId, tx.amount.discount);
  tx.pgTxId ??= newPgTxId();
  tx.paidAt = now;
  setStatus(tx, "PAID", now);
  // What follows from money moving, in one place for every way a payment gets paid.
  if (recordedChannel(ctx.state, tx.channelKey).capture === "MANUAL") {
    tx.capture = { status: "AUTHORIZED" };
  }
  recordPaymentEvent(ctx, tx);
  issueRequestedCashReceipt(ctx, tx);
}

/** Ends a transaction without money moving: the PG refused it, or the account was closed. */
export function markFailed(
  ctx: DomainContext,
  tx: TransactionRecord,
  failure: NonNullable<TransactionRecord["failure"]>,
): string {
  const now = isoAt(ctx.clock);
  setStatus(tx, "FAILED", now);
  tx.failedAt = now;
  tx.failure = failure;
  return now;
}

const eventTypeByStatus: Record<TransactionStatus, string> = {
  READY: "Transaction.Ready",
  PAY_PENDING: "Transaction.PayPending",
  VIRTUAL_ACCOUNT_ISSUED: "Transaction.VirtualAccountIssued",
  PAID: "Transaction.Paid",
  FAILED: "Transaction.Failed",
  PARTIAL_CANCELLED: "Transaction.PartialCancelled",
  CANCELLED: "Transaction.Cancelled",
};

/** Announces the transaction's current status by webhook. */
export function publishTransaction(
  ctx: DomainContext,
  tx: TransactionRecord,
  extra: { cancellationId?: string; trigger?: string } = {},
): void {
  const data: Record<string, unknown> = {
    storeId: tx.storeId,
    paymentId: tx.paymentId,
    transactionId: tx.id,
  };
  if (extra.cancellationId) data.cancellationId = extra.cancellationId;
  ctx.events.publish({
    type: eventTypeByStatus[tx.status],
    data,
    paymentId: tx.paymentId,
    paymentStatus: tx.status,
    ...(extra.trigger ? { trigger: extra.trigger } : {}),
  });
}
