import { randomBytes } from "node:crypto";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { TransactionRecord } from "../state/records.js";
import { paymentAmount } from "./amounts.js";
import type { DomainContext } from "./context.js";
import { customerFromBrowser } from "./customers.js";
import { methodForPayMethod, virtualAccountMethod } from "./payment-methods.js";
import {
  currentTransaction,
  findPayment,
  isSettled,
  newPgTxId,
  newTransactionId,
  paymentRecordFor,
  publishTransaction,
  setStatus,
} from "./transactions.js";

export const checkoutOutcomes = [
  "paid",
  "failed",
  "virtual-account-issued",
  "pay-pending",
  "awaiting-confirm",
] as const;
export type CheckoutOutcome = (typeof checkoutOutcomes)[number];

/** What the browser SDK's `requestPayment` resolves with. */
export interface CheckoutResult {
  transactionType: "PAYMENT";
  paymentId: string;
  txId: string;
  paymentToken?: string;
  code?: string;
  message?: string;
  pgCode?: string;
  pgMessage?: string;
}

const payMethods = [
  "CARD",
  "VIRTUAL_ACCOUNT",
  "TRANSFER",
  "MOBILE",
  "GIFT_CERTIFICATE",
  "EASY_PAY",
  "PAYPAL",
  "ALIPAY",
  "CONVENIENCE_STORE",
  "ALIPAY_PLUS",
] as const;

/** Ends a transaction as PortOne does when the PG (or PortOne's own checks) refuse it. */
function fail(ctx: DomainContext, tx: TransactionRecord, reason: string, pgCode?: string): void {
  const now = isoAt(ctx.clock);
  setStatus(tx, "FAILED", now);
  tx.failedAt = now;
  tx.failure = { reason, ...(pgCode ? { pgCode, pgMessage: reason } : {}) };
}

/** Marks a transaction paid for `amount` (what the PG actually charged). */
export function markPaid(ctx: DomainContext, tx: TransactionRecord, amount?: number): void {
  const now = isoAt(ctx.clock);
  if (amount !== undefined && amount !== tx.amount.total) {
    const taxFree = Math.min(tx.amount.taxFree, amount);
    tx.amount = paymentAmount(amount, taxFree);
  }
  tx.amount.paid = tx.amount.total;
  tx.pgTxId ??= newPgTxId();
  tx.paidAt = now;
  setStatus(tx, "PAID", now);
}

/**
 * Plays the browser SDK's `requestPayment` against this sandbox: opens a transaction, checks it
 * against the pre-registration, and ends it the way `outcome` asks.
 */
export function startCheckout(ctx: DomainContext, input: Input): CheckoutResult {
  const { credentials } = ctx.state;
  const storeId = input.string("storeId");
  const paymentId = input.string("paymentId");
  const orderName = input.string("orderName");
  const totalAmount = input.integer("totalAmount");
  const currency = input.string("currency");
  const payMethod = input.oneOf("payMethod", payMethods) ?? "CARD";
  const taxFreeAmount = input.optionalInteger("taxFreeAmount") ?? 0;
  const vatAmount = input.optionalInteger("vatAmount");
  const outcome = input.oneOf("outcome", checkoutOutcomes) ?? "paid";
  const paidAmount = input.optionalInteger("paidAmount");
  const channelKey = input.optionalString("channelKey");
  if (taxFreeAmount > totalAmount) throw invalidRequest("taxFreeAmount cannot exceed totalAmount.");
  if (storeId !== credentials.storeId) {
    throw new PortOneApiError(
      "FORBIDDEN",
      `Unknown storeId ${storeId}; use ${credentials.storeId}.`,
    );
  }
  if (channelKey !== undefined && channelKey !== credentials.channelKey) {
    throw new PortOneApiError(
      "CHANNEL_NOT_FOUND",
      `Unknown channelKey ${channelKey}; use the sandbox's ${credentials.channelKey}.`,
    );
  }

  const customer = input.optionalObject("customer");
  const products = input.optionalArray("products");
  const productCount = input.optionalInteger("productCount");
  const country = input.optionalString("country");
  const isCulturalExpense = input.optionalBoolean("isCulturalExpense");
  const failureReason = input.optionalString("failureReason");

  const payment = paymentRecordFor(ctx, paymentId);
  const existing = currentTransaction(payment);
  if (existing && isSettled(existing.status)) {
    throw new PortOneApiError("ALREADY_PAID", `Payment ${paymentId} is already paid.`);
  }

  const now = isoAt(ctx.clock);
  const customData = input.raw("customData");
  const tx: TransactionRecord = {
    id: newTransactionId(),
    paymentId,
    storeId,
    status: "READY",
    requestedAt: now,
    updatedAt: now,
    statusChangedAt: now,
    orderName,
    currency,
    amount: paymentAmount(totalAmount, taxFreeAmount, vatAmount),
    customer: customerFromBrowser(customer?.toJSON()),
    origin: { platformType: "PC", ipAddress: "127.0.0.1" },
    cancellations: [],
  };
  const method =
    outcome === "virtual-account-issued"
      ? virtualAccountMethod(ctx.clock.now())
      : methodForPayMethod(payMethod, ctx.clock.now(), {
          ...(typeof tx.customer.phoneNumber === "string"
            ? { phoneNumber: tx.customer.phoneNumber }
            : {}),
        });
  if (method) tx.method = method;
  if (customData !== undefined && customData !== null) {
    tx.customData = typeof customData === "string" ? customData : JSON.stringify(customData);
  }
  if (products) tx.products = products as TransactionRecord["products"];
  if (productCount !== undefined) tx.productCount = productCount;
  if (country) tx.country = country;
  if (isCulturalExpense !== undefined) tx.isCulturalExpense = isCulturalExpense;
  payment.transactions.push(tx);
  publishTransaction(ctx, tx);

  const result: CheckoutResult = { transactionType: "PAYMENT", paymentId, txId: tx.id };
  const mismatch = preRegistrationMismatch(payment.preRegistration, {
    totalAmount,
    taxFreeAmount,
    currency,
  });
  if (mismatch) {
    fail(ctx, tx, mismatch);
    result.code = "BadRequest";
    result.message = mismatch;
  } else {
    switch (outcome) {
      case "paid":
        markPaid(ctx, tx, paidAmount);
        break;
      case "failed": {
        const reason = failureReason ?? "The card issuer declined the payment.";
        const pgCode = input.optionalString("pgCode") ?? "SANDBOX_DECLINED";
        fail(ctx, tx, reason, pgCode);
        Object.assign(result, {
          code: "PGProviderError",
          message: reason,
          pgCode,
          pgMessage: reason,
        });
        break;
      }
      case "virtual-account-issued":
        tx.pgTxId = newPgTxId();
        setStatus(tx, "VIRTUAL_ACCOUNT_ISSUED", isoAt(ctx.clock));
        break;
      case "pay-pending":
        tx.pgTxId = newPgTxId();
        setStatus(tx, "PAY_PENDING", isoAt(ctx.clock));
        break;
      case "awaiting-confirm":
        tx.paymentToken = `sandbox-payment-token-${randomBytes(18).toString("base64url")}`;
        if (paidAmount !== undefined) tx.pendingPaidAmount = paidAmount;
        result.paymentToken = tx.paymentToken;
        break;
    }
  }
  if (tx.status !== "READY") publishTransaction(ctx, tx);
  ctx.state.changed();
  return result;
}

function preRegistrationMismatch(
  registered: { totalAmount?: number; taxFreeAmount?: number; currency?: string } | undefined,
  requested: { totalAmount: number; taxFreeAmount: number; currency: string },
): string | undefined {
  if (!registered) return undefined;
  if (registered.totalAmount !== undefined && registered.totalAmount !== requested.totalAmount) {
    return `totalAmount ${requested.totalAmount} differs from the pre-registered ${registered.totalAmount}.`;
  }
  if (
    registered.taxFreeAmount !== undefined &&
    registered.taxFreeAmount !== requested.taxFreeAmount
  ) {
    return `taxFreeAmount ${requested.taxFreeAmount} differs from the pre-registered ${registered.taxFreeAmount}.`;
  }
  if (registered.currency !== undefined && registered.currency !== requested.currency) {
    return `currency ${requested.currency} differs from the pre-registered ${registered.currency}.`;
  }
  return undefined;
}

/** The customer pays into the issued virtual account. */
export function depositVirtualAccount(ctx: DomainContext, paymentId: string, amount?: number) {
  const { tx } = findPayment(ctx, paymentId);
  if (tx.status !== "VIRTUAL_ACCOUNT_ISSUED") {
    throw new PortOneApiError(
      "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
      `Payment ${paymentId} is ${tx.status}, not waiting for a deposit.`,
    );
  }
  markPaid(ctx, tx, amount);
  publishTransaction(ctx, tx, { trigger: "VIRTUAL_ACCOUNT_DEPOSIT" });
  ctx.state.changed();
  return tx;
}

/** The PG settles a PAY_PENDING payment one way or the other. */
export function settlePendingPayment(ctx: DomainContext, paymentId: string, paid: boolean) {
  const { tx } = findPayment(ctx, paymentId);
  if (tx.status !== "PAY_PENDING") {
    throw new PortOneApiError(
      "INVALID_REQUEST",
      `Payment ${paymentId} is ${tx.status}, not PAY_PENDING.`,
    );
  }
  if (paid) markPaid(ctx, tx);
  else fail(ctx, tx, "The PG refused the pending payment.", "SANDBOX_DECLINED");
  publishTransaction(ctx, tx, { trigger: paid ? "ASYNC_PAY_APPROVED" : "ASYNC_PAY_FAILED" });
  ctx.state.changed();
  return tx;
}
