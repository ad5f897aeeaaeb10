import type {
  GetAllPaymentsByCursorResponse,
  GetPaymentsResponse,
  GetPaymentTransactionsResponse,
} from "../../sdk/generated/payment/types.js";
import { invalidRequest } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type {
  SandboxPaymentRecord,
  TransactionRecord,
  TransactionStatus,
} from "../state/records.js";
import type { DomainContext } from "./context.js";
import { compareBy, paginate } from "./pages.js";
import { assertStore, currentTransaction, findPayment, methodTypeOf } from "./transactions.js";
import { paymentView, transactionView } from "./views.js";

/** `PaymentFilterInput.status` says PENDING where `Payment.status` says PAY_PENDING. */
const filterStatus = (status: TransactionStatus) => (status === "PAY_PENDING" ? "PENDING" : status);

const platformTypeOf = (tx: TransactionRecord) =>
  tx.origin.platformType === "API"
    ? "API"
    : tx.origin.platformType === "MOBILE"
      ? "SDK_MOBILE"
      : "SDK_PC";

/** The values `PaymentFilterInput.textSearch` looks in, per field; ALL looks in every one. */
function searchableText(tx: TransactionRecord, field: string): string[] {
  const card = (tx.method?.card ?? {}) as Record<string, unknown>;
  const fields: Record<string, unknown[]> = {
    PAYMENT_ID: [tx.paymentId],
    TX_ID: [tx.id],
    SCHEDULE_ID: [tx.scheduleId],
    FAIL_REASON: [tx.failure?.reason],
    CARD_ISSUER: [card.issuer],
    CARD_BIN: [card.bin],
    CARD_NUMBER: [card.number],
    CARD_APPROVAL_NUMBER: [tx.method?.approvalNumber],
    VIRTUAL_ACCOUNT_HOLDER_NAME: [tx.method?.remitteeName],
    VIRTUAL_ACCOUNT_BANK: [
      tx.method?.type === "PaymentMethodVirtualAccount" ? tx.method.bank : undefined,
    ],
    VIRTUAL_ACCOUNT_NUMBER: [tx.method?.accountNumber],
    PG_TX_ID: [tx.pgTxId],
    PG_CANCELLATION_ID: tx.cancellations.map((c) => c.pgCancellationId),
    CANCEL_REASON: tx.cancellations.map((c) => c.reason),
    ORDER_NAME: [tx.orderName],
    CUSTOMER_NAME: [tx.customer.name],
    CUSTOMER_EMAIL: [tx.customer.email],
    CUSTOMER_PHONE_NUMBER: [tx.customer.phoneNumber],
    CUSTOMER_ZIPCODE: [tx.customer.zipcode],
    BILLING_KEY: [tx.billingKey],
    PROMOTION_ID: [tx.promotionId],
  };
  const values = field === "ALL" ? Object.values(fields).flat() : (fields[field] ?? []);
  return values.filter((value): value is string => typeof value === "string");
}

interface Entry {
  payment: SandboxPaymentRecord;
  tx: TransactionRecord;
}

function entries(ctx: DomainContext): Entry[] {
  const result: Entry[] = [];
  for (const payment of ctx.state.payments.values()) {
    const tx = currentTransaction(payment);
    if (tx) result.push({ payment, tx });
  }
  return result;
}

export function getPayment(ctx: DomainContext, paymentId: string, storeId: unknown) {
  assertStore(ctx, storeId);
  const { payment, tx } = findPayment(ctx, paymentId);
  return paymentView(payment, tx, ctx.state);
}

export function getPaymentTransactions(
  ctx: DomainContext,
  paymentId: string,
  storeId: unknown,
): GetPaymentTransactionsResponse {
  assertStore(ctx, storeId);
  const { payment } = findPayment(ctx, paymentId);
  return {
    items: payment.transactions.map((tx) => transactionView(payment, tx, ctx.state)),
  };
}

/** getPayments: page + the common filters (store, status, time range, method, currency, ...). */
export function getPayments(ctx: DomainContext, body: Input): GetPaymentsResponse {
  const filter = body.optionalObject("filter");
  assertStore(ctx, filter?.raw("storeId"));
  const merchantId = filter?.optionalString("merchantId");
  const useStatusTime =
    filter?.oneOf("timestampType", ["CREATED_AT", "STATUS_CHANGED_AT"]) === "STATUS_CHANGED_AT";
  const from = filter?.optionalDate("from");
  const until = filter?.optionalDate("until");
  const statuses = filter?.optionalArray("status") as string[] | undefined;
  const methods = filter?.optionalArray("methods") as string[] | undefined;
  const pgProviders = filter?.optionalArray("pgProvider") as string[] | undefined;
  const isTest = filter?.optionalBoolean("isTest");
  const isScheduled = filter?.optionalBoolean("isScheduled");
  const currency = filter?.optionalString("currency");
  const version = filter?.optionalString("version");
  const sortBy = filter?.oneOf("sortBy", ["REQUESTED_AT", "STATUS_CHANGED_AT"]) ?? "REQUESTED_AT";
  const sortOrder = filter?.oneOf("sortOrder", ["ASC", "DESC"]) ?? "DESC";
  const pgProvider = "TOSSPAYMENTS";

  const platformType = filter?.oneOf("platformType", ["SDK_MOBILE", "SDK_PC", "API"] as const);
  const webhookStatus = filter?.optionalString("webhookStatus");
  const isEscrow = filter?.optionalBoolean("isEscrow");
  const card = {
    brand: filter?.optionalString("cardBrand"),
    type: filter?.optionalString("cardType"),
    ownerType: filter?.optionalString("cardOwnerType"),
  };
  const textSearch = (filter?.optionalArray("textSearch") ?? []).map((entry, index) => {
    const search = Input.of(entry, `filter.textSearch[${index}]`);
    return { field: search.string("field"), value: search.string("value") };
  });
  // Sandbox payments never have escrow, gift certificates or cash receipts: such filters match none.
  const matchesNothing = [
    "escrowStatus",
    "giftCertificateType",
    "cashReceiptType",
    "cashReceiptStatus",
    "cashReceiptIssuedAtRange",
    "cashReceiptCancelledAtRange",
  ].some((field) => filter?.has(field));

  const matching = entries(ctx).filter(({ payment, tx }) => {
    if (matchesNothing || isEscrow === true) return false;
    if (platformType !== undefined && platformTypeOf(tx) !== platformType) return false;
    if (webhookStatus !== undefined && payment.webhooks.at(-1)?.status !== webhookStatus)
      return false;
    const txCard = tx.method?.card as Record<string, unknown> | undefined;
    for (const [key, wanted] of Object.entries(card)) {
      if (wanted !== undefined && txCard?.[key] !== wanted) return false;
    }
    for (const { field, value } of textSearch) {
      if (!searchableText(tx, field).some((text) => text.includes(value))) return false;
    }
    const time = Date.parse(useStatusTime ? tx.statusChangedAt : tx.requestedAt);
    if (from !== undefined && time < from) return false;
    if (until !== undefined && time >= until) return false;
    if (merchantId !== undefined && merchantId !== ctx.state.credentials.merchantId) return false;
    if (statuses && !statuses.includes(filterStatus(tx.status))) return false;
    if (methods) {
      const type = methodTypeOf(tx);
      if (!type || !methods.includes(type)) return false;
    }
    if (pgProviders && !pgProviders.includes(pgProvider)) return false;
    if (isTest === false) return false;
    if (isScheduled !== undefined && isScheduled !== (tx.scheduleId !== undefined)) return false;
    if (currency !== undefined && tx.currency !== currency) return false;
    if (version !== undefined && version !== "V2") return false;
    return true;
  });
  matching.sort(
    compareBy(
      ({ tx }) => (sortBy === "STATUS_CHANGED_AT" ? tx.statusChangedAt : tx.requestedAt),
      sortOrder,
    ),
  );
  const { items, page } = paginate(matching, body.optionalObject("page"));
  return {
    items: items.map(({ payment, tx }) => paymentView(payment, tx, ctx.state)),
    page,
  };
}

const NINETY_DAYS_MS = 90 * 24 * 60 * 60 * 1000;

function encodeCursor(entry: Entry): string {
  return Buffer.from(JSON.stringify([entry.tx.requestedAt, entry.payment.id])).toString(
    "base64url",
  );
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && typeof value[0] === "string" && typeof value[1] === "string") {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw invalidRequest("cursor is not a cursor this sandbox returned; start without one.");
}

/** getAllPaymentsByCursor: every payment created in [from, until), oldest first. */
export function getAllPaymentsByCursor(
  ctx: DomainContext,
  body: Input,
): GetAllPaymentsByCursorResponse {
  assertStore(ctx, body.raw("storeId"));
  const until = body.optionalDate("until") ?? ctx.clock.now();
  const from = body.optionalDate("from") ?? until - NINETY_DAYS_MS;
  const size = body.optionalInteger("size") ?? 10;
  if (size < 1 || size > 1000) throw invalidRequest("size must be between 1 and 1000.");
  const cursorText = body.optionalString("cursor");
  const after = cursorText === undefined ? undefined : decodeCursor(cursorText);
  const key = (entry: Entry): [string, string] => [entry.tx.requestedAt, entry.payment.id];
  const isAfter = (entry: Entry) => {
    if (!after) return true;
    const [time, id] = key(entry);
    return time > after[0] || (time === after[0] && id > after[1]);
  };
  const selected = entries(ctx)
    .filter((entry) => {
      const time = Date.parse(entry.tx.requestedAt);
      return time >= from && time <= until && isAfter(entry);
    })
    .sort((a, b) => {
      const [ta, ia] = key(a);
      const [tb, ib] = key(b);
      return ta === tb ? ia.localeCompare(ib) : ta.localeCompare(tb);
    })
    .slice(0, size);
  return {
    items: selected.map((entry) => ({
      payment: paymentView(entry.payment, entry.tx, ctx.state),
      cursor: encodeCursor(entry),
    })),
  };
}
