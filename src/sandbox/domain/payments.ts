import { randomUUID } from "node:crypto";
import type {
  CloseVirtualAccountResponse,
  ConfirmedPaymentSummary,
} from "../../sdk/generated/payment/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { CancellationRecord } from "../state/records.js";
import { defaultVat } from "./amounts.js";
import { markPaid } from "./checkout.js";
import type { DomainContext } from "./context.js";
import {
  assertStore,
  currentTransaction,
  findPayment,
  isSettled,
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
  const tx = currentTransaction(payment);
  if (tx && isSettled(tx.status)) {
    throw new PortOneApiError("ALREADY_PAID", `Payment ${paymentId} is already paid.`);
  }
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
  const payment = ctx.state.payments.get(paymentId);
  if (!payment || payment.transactions.length === 0) {
    throw new PortOneApiError("PAYMENT_NOT_FOUND", `No payment with id ${paymentId}.`);
  }
  const current = currentTransaction(payment);
  if (current && isSettled(current.status)) {
    throw new PortOneApiError("ALREADY_PAID", `Payment ${paymentId} is already paid.`);
  }
  const tx = payment.transactions.find((candidate) => candidate.paymentToken === paymentToken);
  if (tx?.status !== "READY") {
    throw new PortOneApiError(
      "INVALID_PAYMENT_TOKEN",
      `The paymentToken does not belong to a payment of ${paymentId} that awaits confirmation.`,
    );
  }
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
  // Every sandbox channel is a test channel.
  if (body.optionalBoolean("isTest") === false) mismatches.push("isTest");
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

/** cancelPayment, full or partial, with PortOne's amount guards. */
export function cancelPayment(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): CancellationRecord {
  assertStore(ctx, body.raw("storeId"));
  const reason = body.string("reason");
  const { tx } = findPayment(ctx, paymentId);
  if (tx.status === "CANCELLED") {
    throw new PortOneApiError(
      "PAYMENT_ALREADY_CANCELLED",
      `Payment ${paymentId} is already cancelled.`,
    );
  }
  if (!isSettled(tx.status)) {
    throw new PortOneApiError(
      "PAYMENT_NOT_PAID",
      `Payment ${paymentId} is ${tx.status}, not paid.`,
    );
  }
  if (tx.method?.type === "PaymentMethodVirtualAccount") {
    // Money that came by bank transfer goes back to a bank account the merchant names.
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
  const { amount } = tx;
  const cancellable = amount.total - amount.cancelled;
  const cancellableTaxFree = amount.taxFree - amount.cancelledTaxFree;
  const cancelledVat = tx.cancellations.reduce((sum, c) => sum + c.vatAmount, 0);
  const cancellableVat = amount.vat - cancelledVat;

  const expected = body.optionalInteger("currentCancellableAmount");
  if (expected !== undefined && expected !== cancellable) {
    throw new PortOneApiError(
      "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN",
      `currentCancellableAmount is ${expected} but ${cancellable} is cancellable.`,
    );
  }
  const cancelAmount = body.optionalInteger("amount") ?? cancellable;
  if (cancelAmount === 0) throw invalidRequest("amount must be greater than 0.");
  if (cancelAmount > cancellable) {
    throw new PortOneApiError(
      "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT",
      `amount ${cancelAmount} exceeds the cancellable amount ${cancellable}.`,
    );
  }
  const cancelAmountGiven = body.has("amount");
  // PortOne: without taxFreeAmount a partial cancellation is all taxable; cancelling the
  // whole rest (no amount) takes the remaining tax-free part with it.
  const taxFree =
    body.optionalInteger("taxFreeAmount") ?? (cancelAmountGiven ? 0 : cancellableTaxFree);
  if (taxFree > cancelAmount) {
    throw new PortOneApiError(
      "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
      `taxFreeAmount ${taxFree} exceeds amount ${cancelAmount}.`,
    );
  }
  if (taxFree > cancellableTaxFree) {
    throw new PortOneApiError(
      "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT",
      `taxFreeAmount ${taxFree} exceeds the cancellable tax-free amount ${cancellableTaxFree}.`,
    );
  }
  const taxable = cancelAmount - taxFree;
  const cancellableTaxable = cancellable - cancellableTaxFree;
  if (taxable > cancellableTaxable) {
    throw new PortOneApiError(
      "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT",
      `The taxable part ${taxable} exceeds the cancellable taxable amount ${cancellableTaxable}; give taxFreeAmount.`,
    );
  }
  const isRest = cancelAmount === cancellable;
  const vat =
    body.optionalInteger("vatAmount") ??
    (isRest ? cancellableVat : defaultVat(cancelAmount, taxFree));
  if (taxFree + vat > cancelAmount) {
    throw new PortOneApiError(
      "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
      `taxFreeAmount ${taxFree} plus vatAmount ${vat} exceed amount ${cancelAmount}.`,
    );
  }
  if (vat > cancellableVat) {
    throw invalidRequest(`vatAmount ${vat} exceeds the VAT left to cancel, ${cancellableVat}.`);
  }

  const now = isoAt(ctx.clock);
  const cancellation: CancellationRecord = {
    status: "SUCCEEDED",
    id: randomUUID(),
    pgCancellationId: `sandbox-pg-cancel-${randomUUID()}`,
    totalAmount: cancelAmount,
    taxFreeAmount: taxFree,
    vatAmount: vat,
    reason,
    cancelledAt: now,
    requestedAt: now,
    trigger: "API",
  };
  tx.cancellations.push(cancellation);
  amount.cancelled += cancelAmount;
  amount.cancelledTaxFree += taxFree;
  tx.cancelledAt = now;
  setStatus(tx, amount.cancelled === amount.total ? "CANCELLED" : "PARTIAL_CANCELLED", now);
  if (body.optionalBoolean("skipWebhook") !== true) {
    publishTransaction(ctx, tx, { cancellationId: cancellation.id });
  }
  ctx.state.changed();
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
  if (tx.status !== "VIRTUAL_ACCOUNT_ISSUED") {
    throw new PortOneApiError(
      "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
      `Payment ${paymentId} is ${tx.status}, not waiting for a deposit.`,
    );
  }
  const now = isoAt(ctx.clock);
  setStatus(tx, "FAILED", now);
  tx.failedAt = now;
  tx.failure = { reason: "The virtual account was closed before any deposit." };
  publishTransaction(ctx, tx);
  ctx.state.changed();
  return { closedAt: now };
}
