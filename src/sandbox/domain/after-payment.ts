import type {
  ApplyEscrowLogisticsResponse,
  CapturePaymentResponse,
  ConfirmEscrowResponse,
  ModifyEscrowLogisticsResponse,
  RegisterStoreReceiptResponse,
} from "../../sdk/generated/payment/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { JsonObject, TransactionRecord } from "../state/records.js";
import { recordedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { assertStore, findPayment, isSettled } from "./transactions.js";

/** What the PG says when it refuses a request about a payment. */
function pgRefused(message: string, pgCode: string): PortOneApiError {
  return new PortOneApiError("PG_PROVIDER", message, { pgCode, pgMessage: message });
}

/** The payment's current transaction, which must have moved money and not be fully refunded. */
function paidTransaction(ctx: DomainContext, paymentId: string, storeId: unknown) {
  assertStore(ctx, storeId);
  const { tx } = findPayment(ctx, paymentId);
  if (!isSettled(tx.status) || tx.status === "CANCELLED") {
    throw new PortOneApiError(
      "PAYMENT_NOT_PAID",
      `Payment ${paymentId} is ${tx.status}, not paid.`,
    );
  }
  return tx;
}

/** capturePayment: takes the money of a payment its manual-capture channel only authorised. */
export function capturePayment(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): CapturePaymentResponse {
  const tx = paidTransaction(ctx, paymentId, body.raw("storeId"));
  if (!tx.capture) {
    const channel = recordedChannel(ctx.state, tx.channelKey);
    throw pgRefused(
      `Channel ${channel.key} captures automatically; set capture: "MANUAL" on it to authorise only.`,
      "SANDBOX_AUTO_CAPTURE",
    );
  }
  if (tx.capture.status === "CAPTURED") {
    throw pgRefused(`Payment ${paymentId} is already captured.`, "SANDBOX_ALREADY_CAPTURED");
  }
  tx.capture = { status: "CAPTURED", capturedAt: isoAt(ctx.clock) };
  tx.updatedAt = tx.capture.capturedAt as string;
  ctx.state.changed();
  return {};
}

/** An escrow payment's transaction, checked for what the logistics operations need. */
function escrowTransaction(ctx: DomainContext, paymentId: string, body: Input) {
  const tx = paidTransaction(ctx, paymentId, body.raw("storeId"));
  if (!tx.escrow) {
    throw invalidRequest(`Payment ${paymentId} is not an escrow payment (isEscrow at checkout).`);
  }
  return tx as TransactionRecord & { escrow: JsonObject };
}

/** `logistics` of an escrow request: company, invoice number and when it was sent. */
function readLogistics(body: Input) {
  const logistics = body.object("logistics");
  const sentAt = logistics.optionalDate("sentAt");
  if (sentAt === undefined) throw invalidRequest("logistics.sentAt is required.");
  return {
    company: logistics.string("company"),
    invoiceNumber: logistics.string("invoiceNumber"),
    sentAt: new Date(sentAt).toISOString(),
  };
}

/** applyEscrowLogistics: the shop registers the shipment; the escrow becomes REGISTERED. */
export function applyEscrowLogistics(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): ApplyEscrowLogisticsResponse {
  const tx = escrowTransaction(ctx, paymentId, body);
  if (tx.escrow.status !== "BEFORE_REGISTERED") {
    throw invalidRequest(
      `The escrow of payment ${paymentId} is ${String(tx.escrow.status)}; use modifyEscrowLogistics to change its shipment.`,
    );
  }
  const logistics = readLogistics(body);
  const appliedAt = isoAt(ctx.clock);
  tx.escrow = { status: "REGISTERED", ...logistics, appliedAt };
  tx.updatedAt = appliedAt;
  ctx.state.changed();
  return { invoiceNumber: logistics.invoiceNumber, sentAt: logistics.sentAt, appliedAt };
}

/** modifyEscrowLogistics: a registered shipment changes (another invoice, another company). */
export function modifyEscrowLogistics(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): ModifyEscrowLogisticsResponse {
  const tx = escrowTransaction(ctx, paymentId, body);
  if (tx.escrow.status !== "REGISTERED") {
    throw invalidRequest(
      `The escrow of payment ${paymentId} is ${String(tx.escrow.status)}; only a REGISTERED shipment can be modified.`,
    );
  }
  const logistics = readLogistics(body);
  const modifiedAt = isoAt(ctx.clock);
  tx.escrow = { ...tx.escrow, ...logistics };
  tx.updatedAt = modifiedAt;
  ctx.state.changed();
  return { invoiceNumber: logistics.invoiceNumber, sentAt: logistics.sentAt, modifiedAt };
}

/** confirmEscrow: the purchase is confirmed (by the customer, or `fromStore` by the shop). */
export function confirmEscrow(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): ConfirmEscrowResponse {
  const tx = escrowTransaction(ctx, paymentId, body);
  if (tx.escrow.status !== "REGISTERED" && tx.escrow.status !== "DELIVERED") {
    throw invalidRequest(
      `The escrow of payment ${paymentId} is ${String(tx.escrow.status)}; register its shipment before confirming.`,
    );
  }
  body.optionalBoolean("fromStore");
  const completedAt = isoAt(ctx.clock);
  tx.escrow = { ...tx.escrow, status: "CONFIRMED", isAutomaticallyConfirmed: false };
  tx.updatedAt = completedAt;
  ctx.state.changed();
  return { completedAt };
}

/** registerStoreReceipt: the receipt lists the sub-stores the payment was for. */
export function registerStoreReceipt(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): RegisterStoreReceiptResponse {
  const tx = paidTransaction(ctx, paymentId, body.raw("storeId"));
  const items = body.optionalArray("items");
  if (!items || items.length === 0) throw invalidRequest("items must list at least one store.");
  const receipts = items.map((item, index) => {
    const input = Input.of(item, `items[${index}]`);
    const brn = input.string("storeBusinessRegistrationNumber");
    if (!/^\d{10}$/.test(brn.replace(/-/g, ""))) {
      throw invalidRequest(`items[${index}].storeBusinessRegistrationNumber must have 10 digits.`);
    }
    const currency = input.string("currency");
    if (currency !== tx.currency) {
      throw invalidRequest(
        `items[${index}].currency ${currency} differs from the payment's ${tx.currency}.`,
      );
    }
    return { ...input.toJSON(), totalAmount: input.integer("totalAmount") };
  });
  const sum = receipts.reduce((total, receipt) => total + receipt.totalAmount, 0);
  if (sum !== tx.amount.total) {
    throw invalidRequest(
      `The items' totalAmount add up to ${sum}, not the payment's ${tx.amount.total}.`,
    );
  }
  tx.storeReceipts = receipts;
  ctx.state.changed();
  return {
    receiptUrl: `https://sandbox.portone.invalid/receipts/${encodeURIComponent(tx.id)}/stores`,
  };
}
