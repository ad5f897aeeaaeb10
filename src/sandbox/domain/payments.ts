import { randomUUID } from "node:crypto";
import type {
  CloseVirtualAccountResponse,
  ConfirmedPaymentSummary,
} from "../../sdk/generated/payment/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { CancellationRecord, TransactionRecord } from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";
import { type CancellationParts, cancellableOf, planCancellation } from "./cancellation.js";
import { recordedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import {
  assertNotPaid,
  assertStore,
  assertWaitingForDeposit,
  findPayment,
  isSettled,
  markFailed,
  markPaid,
  paymentRecordFor,
  publishTransaction,
  setStatus,
} from "./transactions.js";

/** preRegisterPayment: the amounts the checkout must match. */
export function preRegisterPayment(ctx: DomainContext, paymentId: string, body: Input): void {
  assertStore(ctx, body.raw("storeId"));
  const totalAmount = body.optionalInteger("totalAmount");
  const taxFreeAmount = body.optionalInteger("taxFreeAmount");
  const currency = body.optionalString("currency");
  if (totalAmount !== undefined && taxFreeAmount !== undefined && taxFreeAmount > totalAmount) {
    throw invalidRequest("taxFreeAmount cannot exceed totalAmount.");
  }
  const payment = paymentRecordFor(ctx, paymentId);
  assertNotPaid(payment);
  payment.preRegistration = {
    ...(totalAmount !== undefined ? { totalAmount } : {}),
    ...(taxFreeAmount !== undefined ? { taxFreeAmount } : {}),
    ...(currency !== undefined ? { currency } : {}),
  };
  ctx.state.changed();
}

/** confirmPayment: the merchant approves an authenticated payment (manual confirmation). */
export function confirmPayment(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): ConfirmedPaymentSummary {
  assertStore(ctx, body.raw("storeId"));
  const paymentToken = body.string("paymentToken");
  const { payment } = findPayment(ctx, paymentId);
  assertNotPaid(payment);
  const tx = payment.transactions.find((candidate) => candidate.paymentToken === paymentToken);
  if (tx?.status !== "READY") {
    throw new PortOneApiError(
      "INVALID_PAYMENT_TOKEN",
      `The paymentToken does not belong to a payment of ${paymentId} that awaits confirmation.`,
    );
  }
  const mismatches = confirmationMismatches(ctx.state, tx, body);
  if (mismatches.length > 0) {
    throw new PortOneApiError(
      "INFORMATION_MISMATCH",
      `The payment differs from the request in: ${mismatches.join(", ")}.`,
    );
  }
  delete tx.paymentToken;
  const paidAmount = tx.pendingPaidAmount;
  delete tx.pendingPaidAmount;
  markPaid(ctx, tx, paidAmount);
  if (body.optionalBoolean("skipWebhook") !== true) publishTransaction(ctx, tx);
  ctx.state.changed();
  return { pgTxId: tx.pgTxId as string, paidAt: tx.paidAt as string };
}

/** The fields of a confirmation request that differ from the authenticated payment. */
function confirmationMismatches(state: SandboxState, tx: TransactionRecord, body: Input): string[] {
  const mismatches: string[] = [];
  const txId = body.optionalString("txId");
  if (txId !== undefined && txId !== tx.id) mismatches.push("txId");
  const currency = body.optionalString("currency");
  if (currency !== undefined && currency !== tx.currency) mismatches.push("currency");
  const totalAmount = body.optionalInteger("totalAmount");
  if (totalAmount !== undefined && totalAmount !== (tx.pendingPaidAmount ?? tx.amount.total)) {
    mismatches.push("totalAmount");
  }
  const taxFreeAmount = body.optionalInteger("taxFreeAmount");
  if (taxFreeAmount !== undefined && taxFreeAmount !== tx.amount.taxFree) {
    mismatches.push("taxFreeAmount");
  }
  const isTest = body.optionalBoolean("isTest");
  if (isTest !== undefined && isTest !== (recordedChannel(state, tx.channelKey).type === "TEST")) {
    mismatches.push("isTest");
  }
  return mismatches;
}

/** cancelPayment, full or partial, with PortOne's amount guards. */
export function cancelPayment(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): CancellationRecord {
  assertStore(ctx, body.raw("storeId"));
  const reason = body.string("reason");
  const { tx } = findPayment(ctx, paymentId);
  assertCancellable(tx);
  if (tx.method?.type === "PaymentMethodVirtualAccount") requireRefundAccount(body);
  const cancelledVat = tx.cancellations.reduce((sum, c) => sum + c.vatAmount, 0);
  const parts = planCancellation(cancellableOf(tx.amount, cancelledVat), {
    currentCancellableAmount: body.optionalInteger("currentCancellableAmount"),
    amount: body.optionalInteger("amount"),
    taxFreeAmount: body.optionalInteger("taxFreeAmount"),
    vatAmount: body.optionalInteger("vatAmount"),
  });
  const cancellation = recordCancellation(ctx, tx, parts, reason);
  if (body.optionalBoolean("skipWebhook") !== true) {
    publishTransaction(ctx, tx, { cancellationId: cancellation.id });
  }
  ctx.state.changed();
  return cancellation;
}

function assertCancellable(tx: TransactionRecord): void {
  if (tx.status === "CANCELLED") {
    throw new PortOneApiError(
      "PAYMENT_ALREADY_CANCELLED",
      `Payment ${tx.paymentId} is already cancelled.`,
    );
  }
  if (!isSettled(tx.status)) {
    throw new PortOneApiError(
      "PAYMENT_NOT_PAID",
      `Payment ${tx.paymentId} is ${tx.status}, not paid.`,
    );
  }
}

/** Money that came by bank transfer goes back to a bank account the merchant names. */
function requireRefundAccount(body: Input): void {
  const account = body.optionalObject("refundAccount");
  if (!account) {
    throw invalidRequest(
      "refundAccount { bank, number, holderName } is required to refund a virtual account payment.",
    );
  }
  account.string("bank");
  account.string("number");
  account.string("holderName");
}

/** Books a planned cancellation on the transaction and moves its status. */
function recordCancellation(
  ctx: DomainContext,
  tx: TransactionRecord,
  parts: CancellationParts,
  reason: string,
): CancellationRecord {
  const now = isoAt(ctx.clock);
  const cancellation: CancellationRecord = {
    status: "SUCCEEDED",
    id: randomUUID(),
    pgCancellationId: `sandbox-pg-cancel-${randomUUID()}`,
    ...parts,
    reason,
    cancelledAt: now,
    requestedAt: now,
    trigger: "API",
  };
  const { amount } = tx;
  tx.cancellations.push(cancellation);
  amount.cancelled += parts.totalAmount;
  amount.cancelledTaxFree += parts.taxFreeAmount;
  tx.cancelledAt = now;
  setStatus(tx, amount.cancelled === amount.total ? "CANCELLED" : "PARTIAL_CANCELLED", now);
  return cancellation;
}

/**
 * closeVirtualAccount: the account stops taking deposits. The sandbox reports the payment as
 * FAILED, since no money moved.
 */
export function closeVirtualAccount(
  ctx: DomainContext,
  paymentId: string,
  storeId: unknown,
): CloseVirtualAccountResponse {
  assertStore(ctx, storeId);
  const { tx } = findPayment(ctx, paymentId);
  assertWaitingForDeposit(tx);
  const now = markFailed(ctx, tx, { reason: "The virtual account was closed before any deposit." });
  publishTransaction(ctx, tx);
  ctx.state.changed();
  return { closedAt: now };
}
