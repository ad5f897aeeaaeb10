import { randomBytes } from "node:crypto";
import type {
  CancelCashReceiptResponse,
  CashReceipt,
  GetCashReceiptsResponse,
  IssueCashReceiptResponse,
} from "../../sdk/generated/payment/cashReceipt/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { CashReceiptRecord, JsonObject, TransactionRecord } from "../state/records.js";
import { defaultVat } from "./amounts.js";
import { channelFor, recordedChannel, selectedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { compact } from "./customers.js";
import { compareBy, paginate } from "./pages.js";
import { assertStore } from "./transactions.js";

const CASH_RECEIPT_TYPES = ["PERSONAL", "CORPORATE"] as const;

/** The National Tax Service's number for receipts nobody claimed (자진발급). */
const SELF_ISSUE_NUMBER = "0100001234";

function newReceipt(
  ctx: DomainContext,
  fields: Omit<
    CashReceiptRecord,
    "status" | "merchantId" | "pgReceiptId" | "issueNumber" | "url" | "issuedAt" | "statusUpdatedAt"
  >,
): CashReceiptRecord {
  const now = isoAt(ctx.clock);
  const issueNumber = randomBytes(5).toString("hex").toUpperCase();
  return {
    status: "ISSUED",
    merchantId: ctx.state.credentials.merchantId,
    ...fields,
    pgReceiptId: `sandbox-cash-receipt-${issueNumber}`,
    issueNumber,
    url: `https://sandbox.portone.invalid/cash-receipts/${issueNumber}`,
    issuedAt: now,
    statusUpdatedAt: now,
  };
}

/**
 * `cashReceiptType` of a transfer / virtual account checkout (`PERSONAL`, `CORPORATE`,
 * `ANONYMOUS`, with or without the browser SDK's `CASH_RECEIPT_TYPE_` prefix), as a request.
 */
export function readCashReceiptRequest(
  options: Input | undefined,
): TransactionRecord["cashReceiptRequest"] {
  const raw = options?.optionalString("cashReceiptType");
  if (raw === undefined) return undefined;
  const type = raw.replace(/^CASH_RECEIPT_TYPE_/, "");
  if (type === "ANONYMOUS") return { type: "PERSONAL", identityNumber: SELF_ISSUE_NUMBER };
  if (type !== "PERSONAL" && type !== "CORPORATE") {
    throw invalidRequest(`cashReceiptType must be PERSONAL, CORPORATE or ANONYMOUS; got ${raw}.`);
  }
  const identityNumber = options?.optionalString("customerIdentifier");
  if (!identityNumber) {
    throw invalidRequest(`customerIdentifier is required for a ${type} cash receipt.`);
  }
  return { type, identityNumber };
}

/** A paid transfer / virtual account payment whose customer asked for one gets its receipt. */
export function issueRequestedCashReceipt(ctx: DomainContext, tx: TransactionRecord): void {
  const request = tx.cashReceiptRequest;
  if (!request || ctx.state.cashReceipts.has(tx.paymentId)) return;
  ctx.state.cashReceipts.set(
    tx.paymentId,
    newReceipt(ctx, {
      storeId: tx.storeId,
      paymentId: tx.paymentId,
      channel: selectedChannel(recordedChannel(ctx.state, tx.channelKey)),
      amount: tx.amount.total,
      taxFreeAmount: tx.amount.taxFree,
      vatAmount: tx.amount.vat,
      currency: tx.currency,
      orderName: tx.orderName,
      isManual: false,
      type: request.type,
    }),
  );
}

/** The whole payment was refunded: its cash receipt is cancelled with it, as PortOne does. */
export function cancelCashReceiptWithPayment(ctx: DomainContext, tx: TransactionRecord): void {
  const receipt = ctx.state.cashReceipts.get(tx.paymentId);
  if (receipt?.status !== "ISSUED" || receipt.isManual) return;
  markCancelled(ctx, receipt);
}

function markCancelled(ctx: DomainContext, receipt: CashReceiptRecord): void {
  const now = isoAt(ctx.clock);
  receipt.status = "CANCELLED";
  receipt.cancelledAt = now;
  receipt.statusUpdatedAt = now;
}

/** issueCashReceipt: a receipt for money the store took outside PortOne (isManual). */
export function issueCashReceipt(ctx: DomainContext, body: Input): IssueCashReceiptResponse {
  assertStore(ctx, body.raw("storeId"));
  const paymentId = body.string("paymentId");
  const channel = channelFor(ctx.state, body.string("channelKey"));
  const type = body.oneOf("type", CASH_RECEIPT_TYPES) ?? body.string("type");
  const orderName = body.string("orderName");
  const currency = body.string("currency");
  const amount = body.object("amount");
  const total = amount.integer("total");
  const taxFree = amount.optionalInteger("taxFree") ?? 0;
  if (total < 1) throw invalidRequest("amount.total must be at least 1.");
  if (taxFree > total) throw invalidRequest("amount.taxFree cannot exceed amount.total.");
  body.object("customer").string("identityNumber");
  const existing = ctx.state.cashReceipts.get(paymentId);
  if (existing?.status === "ISSUED") {
    throw new PortOneApiError(
      "CASH_RECEIPT_ALREADY_ISSUED",
      `Payment ${paymentId} already has an issued cash receipt; cancel it first.`,
    );
  }
  const receipt = newReceipt(ctx, {
    storeId: ctx.state.credentials.storeId,
    paymentId,
    channel: selectedChannel(channel),
    amount: total,
    taxFreeAmount: taxFree,
    vatAmount: amount.optionalInteger("vat") ?? defaultVat(total, taxFree),
    currency,
    orderName,
    isManual: true,
    type: type as CashReceiptRecord["type"],
  });
  ctx.state.cashReceipts.set(paymentId, receipt);
  ctx.state.changed();
  return {
    cashReceipt: {
      issueNumber: receipt.issueNumber,
      url: receipt.url,
      pgReceiptId: receipt.pgReceiptId,
    },
  };
}

function findReceipt(ctx: DomainContext, paymentId: string): CashReceiptRecord {
  const receipt = ctx.state.cashReceipts.get(paymentId);
  if (!receipt) {
    throw new PortOneApiError(
      "CASH_RECEIPT_NOT_FOUND",
      `Payment ${paymentId} has no cash receipt.`,
    );
  }
  return receipt;
}

export function cashReceiptView(receipt: CashReceiptRecord): CashReceipt {
  return compact({ ...receipt } as unknown as JsonObject) as unknown as CashReceipt;
}

/** The receipt as `Payment.cashReceipt` shows it. */
export function paymentCashReceiptView(receipt: CashReceiptRecord | undefined) {
  if (!receipt) return undefined;
  return compact({
    status: receipt.status,
    type: receipt.type,
    pgReceiptId: receipt.pgReceiptId,
    issueNumber: receipt.issueNumber,
    totalAmount: receipt.amount,
    taxFreeAmount: receipt.taxFreeAmount,
    currency: receipt.currency,
    url: receipt.url,
    issuedAt: receipt.issuedAt,
    cancelledAt: receipt.cancelledAt,
  });
}

export function getCashReceiptByPaymentId(
  ctx: DomainContext,
  paymentId: string,
  storeId: unknown,
): CashReceipt {
  assertStore(ctx, storeId);
  return cashReceiptView(findReceipt(ctx, paymentId));
}

export function cancelCashReceiptByPaymentId(
  ctx: DomainContext,
  paymentId: string,
  storeId: unknown,
): CancelCashReceiptResponse {
  assertStore(ctx, storeId);
  const receipt = findReceipt(ctx, paymentId);
  if (receipt.status !== "ISSUED") {
    throw new PortOneApiError(
      "CASH_RECEIPT_NOT_ISSUED",
      `The cash receipt of payment ${paymentId} is ${receipt.status}, not issued.`,
    );
  }
  markCancelled(ctx, receipt);
  ctx.state.changed();
  return { cancelledAmount: receipt.amount, cancelledAt: receipt.cancelledAt as string };
}

/** getCashReceipts: filter (time range, status, type, manual, payment id, ...), sort, page. */
export function getCashReceipts(ctx: DomainContext, body: Input): GetCashReceiptsResponse {
  const filter = body.optionalObject("filter");
  assertStore(ctx, filter?.raw("storeId"));
  const field = filter?.oneOf("timeRangeField", ["ISSUED_AT", "CANCELLED_AT", "STATUS_UPDATED_AT"]);
  const timeOf = (receipt: CashReceiptRecord, which = field ?? "STATUS_UPDATED_AT") =>
    (which === "ISSUED_AT"
      ? receipt.issuedAt
      : which === "CANCELLED_AT"
        ? receipt.cancelledAt
        : receipt.statusUpdatedAt) ?? "";
  const from = filter?.optionalDate("from");
  const until = filter?.optionalDate("until");
  const statuses = filter?.optionalArray("statuses");
  const types = filter?.optionalArray("types");
  const matches = (receipt: CashReceiptRecord) => {
    const time = Date.parse(timeOf(receipt));
    if (from !== undefined && !(time >= from)) return false;
    if (until !== undefined && !(time <= until)) return false;
    if (statuses && !statuses.includes(receipt.status)) return false;
    if (types && !types.includes(receipt.type)) return false;
    const isManual = filter?.optionalBoolean("isManual");
    if (isManual !== undefined && receipt.isManual !== isManual) return false;
    const isTest = filter?.optionalBoolean("isTest");
    if (isTest !== undefined && (receipt.channel.type === "TEST") !== isTest) return false;
    const paymentId = filter?.optionalString("paymentId");
    if (paymentId !== undefined && receipt.paymentId !== paymentId) return false;
    const orderName = filter?.optionalString("orderName");
    if (orderName !== undefined && !receipt.orderName.includes(orderName)) return false;
    const pgReceiptId = filter?.optionalString("pgReceiptId");
    return pgReceiptId === undefined || receipt.pgReceiptId === pgReceiptId;
  };
  const sort = body.optionalObject("sort");
  const by = sort?.oneOf("by", ["ISSUED_AT", "CANCELLED_AT", "STATUS_UPDATED_AT"]) ?? "ISSUED_AT";
  const order = sort?.oneOf("order", ["ASC", "DESC"] as const) ?? "DESC";
  const selected = [...ctx.state.cashReceipts.values()]
    .filter(matches)
    .sort(compareBy((receipt) => timeOf(receipt, by), order));
  const { items, page } = paginate(selected, body.optionalObject("page"));
  return { items: items.map(cashReceiptView), page };
}
