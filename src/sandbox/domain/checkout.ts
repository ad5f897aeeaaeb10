import { randomBytes } from "node:crypto";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { TransactionRecord } from "../state/records.js";
import { paymentAmount } from "./amounts.js";
import { readCashReceiptRequest } from "./cash-receipts.js";
import { channelFor } from "./channels.js";
import type { DomainContext } from "./context.js";
import { customerFromBrowser } from "./customers.js";
import { methodForPayMethod, virtualAccountMethod } from "./payment-methods.js";
import { promotionDiscount } from "./promotions.js";
import {
  assertNotPaid,
  assertWaitingForDeposit,
  findPayment,
  markFailed,
  markPaid,
  newPgTxId,
  openTransaction,
  paymentRecordFor,
  publishTransaction,
  setStatus,
  type TransactionOpening,
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

/** The `payMethod`s requestPayment accepts (browser-sdk.yml), checked by the checkout and the window. */
export const PAY_METHODS = [
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
  markFailed(ctx, tx, { reason, ...(pgCode ? { pgCode, pgMessage: reason } : {}) });
}

/** requestPayment's parameters, read in the order PortOne checks them. */
function readCheckoutRequest(ctx: DomainContext, input: Input) {
  const { credentials } = ctx.state;
  const request = {
    storeId: input.string("storeId"),
    paymentId: input.string("paymentId"),
    orderName: input.string("orderName"),
    totalAmount: input.integer("totalAmount"),
    currency: input.string("currency"),
    payMethod: input.oneOf("payMethod", PAY_METHODS) ?? "CARD",
    taxFreeAmount: input.optionalInteger("taxFreeAmount") ?? 0,
    vatAmount: input.optionalInteger("vatAmount"),
    outcome: input.oneOf("outcome", checkoutOutcomes) ?? "paid",
    paidAmount: input.optionalInteger("paidAmount"),
    /** The PG's decline code the checkout window's person chose (failed outcome only). */
    pgCode: input.optionalString("pgCode"),
  };
  const channelKey = input.optionalString("channelKey");
  if (request.taxFreeAmount > request.totalAmount) {
    throw invalidRequest("taxFreeAmount cannot exceed totalAmount.");
  }
  if (request.storeId !== credentials.storeId) {
    throw new PortOneApiError(
      "FORBIDDEN",
      `Unknown storeId ${request.storeId}; use ${credentials.storeId}.`,
    );
  }
  return { ...request, channel: channelFor(ctx.state, channelKey) };
}

type CheckoutRequest = ReturnType<typeof readCheckoutRequest>;

/** The optional details requestPayment passes on to the payment as they are. */
function readCheckoutDetails(input: Input) {
  const customer = input.optionalObject("customer");
  const products = input.optionalArray("products");
  const details: TransactionOpening["details"] = {
    productCount: input.optionalInteger("productCount"),
    country: input.optionalString("country") || undefined,
    isCulturalExpense: input.optionalBoolean("isCulturalExpense"),
  };
  const failureReason = input.optionalString("failureReason");
  if (input.optionalBoolean("isEscrow") === true) details.escrow = { status: "BEFORE_REGISTERED" };
  // A transfer or virtual account customer may ask for a cash receipt (현금영수증).
  const cashReceiptRequest = readCashReceiptRequest(
    input.optionalObject("virtualAccount") ?? input.optionalObject("transfer"),
  );
  if (cashReceiptRequest) details.cashReceiptRequest = cashReceiptRequest;
  if (products) details.products = products as TransactionRecord["products"];
  // requestPayment takes any JSON here; PortOne stores it as a string.
  const customData = input.raw("customData");
  if (customData !== undefined && customData !== null) {
    details.customData = typeof customData === "string" ? customData : JSON.stringify(customData);
  }
  return { customer: customerFromBrowser(customer?.toJSON()), details, failureReason };
}

function checkoutMethod(
  ctx: DomainContext,
  request: CheckoutRequest,
  customer: TransactionRecord["customer"],
) {
  if (request.outcome === "virtual-account-issued") return virtualAccountMethod(ctx.clock.now());
  return methodForPayMethod(request.payMethod, ctx.clock.now(), {
    ...(typeof customer.phoneNumber === "string" ? { phoneNumber: customer.phoneNumber } : {}),
  });
}

/**
 * Plays the browser SDK's `requestPayment` against this sandbox: opens a transaction, checks it
 * against the pre-registration, and ends it the way `outcome` asks.
 */
export function startCheckout(ctx: DomainContext, input: Input): CheckoutResult {
  const request = readCheckoutRequest(ctx, input);
  const { customer, details, failureReason } = readCheckoutDetails(input);
  const payment = paymentRecordFor(ctx, request.paymentId);
  assertNotPaid(payment);
  const promotionId = input.optionalString("promotionId");
  const discount = promotionId ? promotionDiscount(ctx, promotionId, request) : 0;
  const method = checkoutMethod(ctx, request, customer);
  const tx = openTransaction(ctx, payment, {
    storeId: request.storeId,
    orderName: request.orderName,
    currency: request.currency,
    amount: paymentAmount(request.totalAmount, request.taxFreeAmount, request.vatAmount),
    customer,
    ...(method ? { method } : {}),
    platformType: "PC",
    channel: request.channel,
    details,
  });
  if (promotionId) {
    tx.promotionId = promotionId;
    tx.amount.discount = discount;
  }
  publishTransaction(ctx, tx);

  const result: CheckoutResult = { transactionType: "PAYMENT", paymentId: payment.id, txId: tx.id };
  const mismatch = preRegistrationMismatch(payment.preRegistration, request);
  if (mismatch) {
    fail(ctx, tx, mismatch);
    result.code = "BadRequest";
    result.message = mismatch;
  } else {
    endCheckout(ctx, tx, request, failureReason, result);
  }
  if (tx.status !== "READY") publishTransaction(ctx, tx);
  ctx.state.changed();
  return result;
}

/** Ends the checkout's transaction the way the requested outcome says; fills in `result`. */
function endCheckout(
  ctx: DomainContext,
  tx: TransactionRecord,
  request: CheckoutRequest,
  failureReason: string | undefined,
  result: CheckoutResult,
): void {
  switch (request.outcome) {
    case "paid":
      markPaid(ctx, tx, request.paidAmount);
      break;
    case "failed": {
      const reason = failureReason ?? "The card issuer declined the payment.";
      const pgCode = request.pgCode ?? "SANDBOX_DECLINED";
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
      if (request.paidAmount !== undefined) tx.pendingPaidAmount = request.paidAmount;
      result.paymentToken = tx.paymentToken;
      break;
  }
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
  assertWaitingForDeposit(tx);
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
