import { randomBytes, randomUUID } from "node:crypto";
import type { SandboxCredentials } from "../credentials.js";
import { PortOneApiError } from "../http/api-error.js";
import type { PaymentRecord, PaymentStatus, TransactionRecord } from "../state/records.js";
import type { DomainContext } from "./context.js";

/** The single channel every sandbox payment goes through: a test channel. */
export function sandboxChannel(credentials: SandboxCredentials) {
  return {
    type: "TEST" as const,
    id: "sandbox-channel",
    key: credentials.channelKey,
    name: "PortOne Sandbox",
    pgProvider: "TOSSPAYMENTS" as const,
    pgMerchantId: "portone-sandbox",
  };
}

export const newTransactionId = (): string => randomUUID();
export const newPgTxId = (): string => `sandbox-pg-${randomBytes(9).toString("hex")}`;

/** States a payment reaches only through money moving; another attempt can no longer win. */
const settled = new Set<PaymentStatus>(["PAID", "PARTIAL_CANCELLED", "CANCELLED"]);
/** States in which the payment is waiting for money that is on its way. */
const pending = new Set<PaymentStatus>(["VIRTUAL_ACCOUNT_ISSUED", "PAY_PENDING"]);

export function isSettled(status: PaymentStatus): boolean {
  return settled.has(status);
}

/**
 * The transaction PortOne shows as "the payment": the settled one if any, else one waiting for
 * money, else the latest attempt.
 */
export function currentTransaction(payment: PaymentRecord): TransactionRecord | undefined {
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

export function findPayment(ctx: DomainContext, paymentId: string) {
  const payment = ctx.state.payments.get(paymentId);
  const tx = payment && currentTransaction(payment);
  if (!payment || !tx) {
    throw new PortOneApiError("PAYMENT_NOT_FOUND", `No payment with id ${paymentId}.`);
  }
  return { payment, tx };
}

export function paymentRecordFor(ctx: DomainContext, paymentId: string): PaymentRecord {
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

export function setStatus(tx: TransactionRecord, status: PaymentStatus, at: string): void {
  tx.status = status;
  tx.statusChangedAt = at;
  tx.updatedAt = at;
}

const eventTypeByStatus: Record<PaymentStatus, string> = {
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
