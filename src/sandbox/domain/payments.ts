import { randomUUID } from "node:crypto";
import type {
  CloseVirtualAccountResponse,
  ConfirmedPaymentSummary,
  StopPaymentCancellationResponse,
} from "../../sdk/generated/payment/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { CancellationRecord, TransactionRecord } from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";
import {
  type CancellationParts,
  cancellableOf,
  lessPending,
  planCancellation,
} from "./cancellation.js";
import { cancelCashReceiptWithPayment } from "./cash-receipts.js";
import { recordedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { recordPaymentEvent } from "./payment-events.js";
import { spendPromotionBudget } from "./promotions.js";
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
  const succeeded = tx.cancellations.filter((c) => c.status === "SUCCEEDED");
  const pending = tx.cancellations.filter((c) => c.status === "REQUESTED");
  const cancelledVat = succeeded.reduce((sum, c) => sum + c.vatAmount, 0);
  const left = lessPending(cancellableOf(tx.amount, cancelledVat), pending);
  const parts = planCancellation(left, {
    currentCancellableAmount: body.optionalInteger("currentCancellableAmount"),
    amount: body.optionalInteger("amount"),
    taxFreeAmount: body.optionalInteger("taxFreeAmount"),
    vatAmount: body.optionalInteger("vatAmount"),
  });
  const asynchronous = recordedChannel(ctx.state, tx.channelKey).cancellation === "PENDING";
  const cancellation = asynchronous
    ? requestCancellation(ctx, tx, parts, reason)
    : recordCancellation(ctx, tx, parts, reason);
  if (body.optionalBoolean("skipWebhook") !== true) {
    if (asynchronous) publishCancelPending(ctx, tx, cancellation.id);
    else publishTransaction(ctx, tx, { cancellationId: cancellation.id });
  }
  ctx.state.changed();
  return cancellation;
}

/** The PG takes the cancellation and answers later (a channel with cancellation: "PENDING"). */
function requestCancellation(
  ctx: DomainContext,
  tx: TransactionRecord,
  parts: CancellationParts,
  reason: string,
): CancellationRecord {
  const cancellation: CancellationRecord = {
    status: "REQUESTED",
    id: randomUUID(),
    ...parts,
    reason,
    requestedAt: isoAt(ctx.clock),
    trigger: "API",
  };
  tx.cancellations.push(cancellation);
  tx.updatedAt = cancellation.requestedAt;
  return cancellation;
}

function publishCancelPending(ctx: DomainContext, tx: TransactionRecord, cancellationId: string) {
  ctx.events.publish({
    type: "Transaction.CancelPending",
    data: { storeId: tx.storeId, paymentId: tx.paymentId, transactionId: tx.id, cancellationId },
    paymentId: tx.paymentId,
    paymentStatus: tx.status,
  });
}

/** A cancellation the PG has not answered yet, or the PortOne error for why there is none. */
function pendingCancellation(ctx: DomainContext, paymentId: string, cancellationId: string) {
  const { tx } = findPayment(ctx, paymentId);
  const index = tx.cancellations.findIndex((c) => c.id === cancellationId);
  const cancellation = tx.cancellations[index];
  if (!cancellation) {
    throw new PortOneApiError(
      "PAYMENT_CANCELLATION_NOT_FOUND",
      `Payment ${paymentId} has no cancellation ${cancellationId}.`,
    );
  }
  if (cancellation.status !== "REQUESTED") {
    throw new PortOneApiError(
      "PAYMENT_CANCELLATION_NOT_PENDING",
      `Cancellation ${cancellationId} is ${cancellation.status}, not pending.`,
    );
  }
  return { tx, index, cancellation };
}

/** stopPaymentCancellation: the merchant withdraws a pending cancellation; no money moves. */
export function stopPaymentCancellation(
  ctx: DomainContext,
  paymentId: string,
  cancellationId: string,
  body: Input,
): StopPaymentCancellationResponse {
  assertStore(ctx, body.raw("storeId"));
  const { tx, index, cancellation } = pendingCancellation(ctx, paymentId, cancellationId);
  const stoppedAt = isoAt(ctx.clock);
  tx.cancellations[index] = { ...cancellation, status: "FAILED", cancelledAt: stoppedAt };
  tx.updatedAt = stoppedAt;
  ctx.state.changed();
  return { stoppedAt };
}

/**
 * The PG answers a pending cancellation (sandbox control): it succeeds, and the money goes back
 * (Transaction.Cancelled / PartialCancelled), or it fails and the payment stays as it was.
 */
export function settlePendingCancellation(
  ctx: DomainContext,
  paymentId: string,
  cancellationId: string,
  succeeded: boolean,
): CancellationRecord {
  const { tx, index, cancellation } = pendingCancellation(ctx, paymentId, cancellationId);
  tx.cancellations.splice(index, 1);
  if (!succeeded) {
    const failed: CancellationRecord = { ...cancellation, status: "FAILED", trigger: "API" };
    tx.cancellations.splice(index, 0, failed);
    tx.updatedAt = isoAt(ctx.clock);
    ctx.state.changed();
    return failed;
  }
  const parts = {
    totalAmount: cancellation.totalAmount,
    taxFreeAmount: cancellation.taxFreeAmount,
    vatAmount: cancellation.vatAmount,
  };
  const done = recordCancellation(ctx, tx, parts, cancellation.reason, cancellation);
  publishTransaction(ctx, tx, { cancellationId, trigger: "ASYNC_CANCEL_APPROVED" });
  ctx.state.changed();
  return done;
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
  requested?: CancellationRecord,
): CancellationRecord {
  const now = isoAt(ctx.clock);
  const cancellation: CancellationRecord = {
    status: "SUCCEEDED",
    id: requested?.id ?? randomUUID(),
    pgCancellationId: `sandbox-pg-cancel-${randomUUID()}`,
    ...parts,
    reason,
    cancelledAt: now,
    requestedAt: requested?.requestedAt ?? now,
    trigger: "API",
  };
  const { amount } = tx;
  tx.cancellations.push(cancellation);
  amount.cancelled += parts.totalAmount;
  amount.cancelledTaxFree += parts.taxFreeAmount;
  tx.cancelledAt = now;
  setStatus(tx, amount.cancelled === amount.total ? "CANCELLED" : "PARTIAL_CANCELLED", now);
  recordPaymentEvent(ctx, tx, cancellation);
  if (tx.status === "CANCELLED") {
    cancelCashReceiptWithPayment(ctx, tx);
    // Card promotions recover their budget on a full refund (recoverOption RECOVER).
    if (tx.promotionId) spendPromotionBudget(ctx, tx.promotionId, -tx.amount.discount);
    if (tx.escrow) tx.escrow = { ...tx.escrow, status: "CANCELLED" };
  }
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
