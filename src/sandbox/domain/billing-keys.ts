import { randomBytes, randomUUID } from "node:crypto";
import type {
  ConfirmedBillingKeyIssueAndPaySummary,
  ConfirmedBillingKeySummary,
  DeleteBillingKeyResponse,
  GetBillingKeyInfosResponse,
  IssueBillingKeyResponse,
} from "../../sdk/generated/payment/billingKey/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { BillingKeyRecord, JsonObject } from "../state/records.js";
import { channelFor, selectedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { customerFromApi } from "./customers.js";
import { compareBy, paginate } from "./pages.js";
import { cardMethod } from "./payment-methods.js";
import { assertStore } from "./transactions.js";
import { billingKeyView } from "./views.js";

/** Card numbers the sandbox's PG declines, to exercise failure paths (like Stripe's test cards). */
export const DECLINED_CARD_NUMBER = "4000000000000002";

export function pgDeclined(): PortOneApiError {
  return new PortOneApiError("PG_PROVIDER", "The card issuer declined the card.", {
    pgCode: "SANDBOX_DECLINED",
    pgMessage: "The card issuer declined the card.",
  });
}

/** Reads `method.card.credential` and returns the card number, digits only. */
export function cardNumberOf(card: Input): string {
  const credential = card.object("credential");
  const number = credential.string("number").replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(number))
    throw invalidRequest("card.credential.number must be 12 to 19 digits.");
  const month = Number(credential.string("expiryMonth"));
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw invalidRequest("card.credential.expiryMonth must be 01 to 12.");
  }
  credential.string("expiryYear");
  return number;
}

export function issueBillingKey(ctx: DomainContext, body: Input): IssueBillingKeyResponse {
  const record = authenticateCard(ctx, body);
  storeIssued(ctx, record, body.optionalBoolean("skipWebhook") === true);
  return {
    billingKeyInfo: {
      billingKey: record.billingKey,
      channels: record.channels,
      issuedAt: record.issuedAt,
    },
  };
}

/** The PG checks the card of an issue request; the billing key it would become. */
function authenticateCard(ctx: DomainContext, body: Input): BillingKeyRecord {
  assertStore(ctx, body.raw("storeId"));
  const channel = channelFor(ctx.state, body.optionalString("channelKey"));
  const card = body.object("method").optionalObject("card");
  if (!card)
    throw invalidRequest("method.card is required: the sandbox issues billing keys for cards.");
  const number = cardNumberOf(card);
  if (number === DECLINED_CARD_NUMBER) throw pgDeclined();
  const now = isoAt(ctx.clock);
  const { type: _type, ...cardDetails } = cardMethod(number);
  const record: BillingKeyRecord = {
    status: "ISSUED",
    billingKey: `billing-key-${randomUUID()}`,
    merchantId: ctx.state.credentials.merchantId,
    storeId: ctx.state.credentials.storeId,
    methods: [{ type: "BillingKeyPaymentMethodCard", card: cardDetails.card }],
    channels: [selectedChannel(channel)],
    customer: customerFromApi(body.optionalObject("customer")?.toJSON()),
    requestedAt: now,
    issuedAt: now,
  };
  const customData = body.optionalString("customData");
  if (customData !== undefined) record.customData = customData;
  return record;
}

function storeIssued(ctx: DomainContext, record: BillingKeyRecord, skipWebhook: boolean): void {
  ctx.state.billingKeys.set(record.billingKey, record);
  if (!skipWebhook) {
    ctx.events.publish({
      type: "BillingKey.Issued",
      data: { storeId: record.storeId, billingKey: record.billingKey },
    });
  }
  ctx.state.changed();
}

/** What the browser's billing key window ends with: a key, or a token to confirm one with. */
export type WindowIssue =
  | { billingKey: string }
  | { billingKey: "NEEDS_CONFIRMATION"; billingIssueToken: string };

/**
 * The browser's requestIssueBillingKey(AndPay) after the card was entered. On a channel with
 * billingKeyConfirmation MANUAL the key waits for confirmBillingKey (or
 * confirmBillingKeyIssueAndPay with the payment, `payment`: a payWithBillingKey body).
 */
export function issueBillingKeyFromWindow(
  ctx: DomainContext,
  body: Input,
  payment?: { paymentId: string; input: JsonObject },
): WindowIssue {
  const channel = channelFor(ctx.state, body.optionalString("channelKey"));
  const record = authenticateCard(ctx, body);
  if (channel.billingKeyConfirmation === "AUTOMATIC") {
    storeIssued(ctx, record, false);
    return { billingKey: record.billingKey };
  }
  const token = `sandbox-billing-issue-${randomBytes(18).toString("base64url")}`;
  ctx.state.billingIssues.set(token, {
    token,
    billingKey: record,
    ...(payment ? { payment } : {}),
  });
  ctx.state.changed();
  return { billingKey: "NEEDS_CONFIRMATION", billingIssueToken: token };
}

/** A billingIssueToken that has not been used yet. */
function openIssue(ctx: DomainContext, body: Input) {
  assertStore(ctx, body.raw("storeId"));
  const token = body.string("billingIssueToken");
  const issue = ctx.state.billingIssues.get(token);
  if (!issue) {
    throw new PortOneApiError(
      "BILLING_KEY_NOT_FOUND",
      "No billing key waits for this billingIssueToken.",
    );
  }
  if (issue.confirmedAt !== undefined) {
    throw new PortOneApiError(
      "BILLING_KEY_ALREADY_ISSUED",
      `The billing key of this billingIssueToken was issued at ${issue.confirmedAt}.`,
    );
  }
  const isTest = body.optionalBoolean("isTest");
  const channelType = issue.billingKey.channels[0]?.type;
  if (isTest !== undefined && isTest !== (channelType === "TEST")) {
    throw new PortOneApiError(
      "INFORMATION_MISMATCH",
      `isTest differs: the channel is ${channelType}.`,
    );
  }
  return issue;
}

/** confirmBillingKey: the merchant approves a billing key the PG authenticated. */
export function confirmBillingKey(ctx: DomainContext, body: Input): ConfirmedBillingKeySummary {
  const issue = openIssue(ctx, body);
  issue.confirmedAt = isoAt(ctx.clock);
  issue.billingKey.issuedAt = issue.confirmedAt;
  storeIssued(ctx, issue.billingKey, body.optionalBoolean("skipWebhook") === true);
  return { billingKey: issue.billingKey.billingKey };
}

/** confirmBillingKeyIssueAndPay: approves the key and makes the payment it was issued with. */
export function confirmBillingKeyIssueAndPay(
  ctx: DomainContext,
  body: Input,
  pay: (paymentId: string, input: Input) => unknown,
): ConfirmedBillingKeyIssueAndPaySummary {
  const issue = openIssue(ctx, body);
  const payment = issue.payment;
  if (!payment) {
    throw invalidRequest(
      "This billingIssueToken issues a billing key only; use confirmBillingKey.",
    );
  }
  const amount = (payment.input.amount ?? {}) as JsonObject;
  const expected: [string, unknown][] = [
    ["paymentId", payment.paymentId],
    ["currency", payment.input.currency],
    ["totalAmount", amount.total],
    ["taxFreeAmount", amount.taxFree ?? 0],
  ];
  const mismatches = expected.filter(
    ([field, value]) => body.has(field) && body.raw(field) !== value,
  );
  if (mismatches.length > 0) {
    throw new PortOneApiError(
      "INFORMATION_MISMATCH",
      `The request differs from the authenticated payment in: ${mismatches.map(([f]) => f).join(", ")}.`,
    );
  }
  const billingKey = confirmBillingKey(ctx, body).billingKey;
  const skipWebhook = body.optionalBoolean("skipWebhook");
  pay(
    payment.paymentId,
    Input.of({ ...payment.input, billingKey, ...(skipWebhook ? { skipWebhook } : {}) }),
  );
  return { billingKey, paymentId: payment.paymentId };
}

export function findBillingKey(ctx: DomainContext, billingKey: string): BillingKeyRecord {
  const record = ctx.state.billingKeys.get(billingKey);
  if (!record) throw new PortOneApiError("BILLING_KEY_NOT_FOUND", `No billing key ${billingKey}.`);
  return record;
}

/** A billing key that can still pay: found and not deleted. */
export function findLiveBillingKey(ctx: DomainContext, billingKey: string): BillingKeyRecord {
  const record = findBillingKey(ctx, billingKey);
  if (record.status === "DELETED") {
    throw new PortOneApiError(
      "BILLING_KEY_ALREADY_DELETED",
      `Billing key ${billingKey} is deleted.`,
    );
  }
  return record;
}

export function getBillingKeyInfo(ctx: DomainContext, billingKey: string, storeId: unknown) {
  assertStore(ctx, storeId);
  return billingKeyView(findBillingKey(ctx, billingKey));
}

function billingKeyText(record: BillingKeyRecord, field: string): string[] {
  const card = (record.methods[0]?.card ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = {
    CARD_BIN: card.bin,
    CARD_NUMBER: card.number,
    PG_MERCHANT_ID: record.channels[0]?.pgMerchantId,
    CUSTOMER_NAME: record.customer.name,
    CUSTOMER_EMAIL: record.customer.email,
    CUSTOMER_PHONE_NUMBER: record.customer.phoneNumber,
    CUSTOMER_ZIPCODE: record.customer.zipcode,
    BILLING_KEY: record.billingKey,
  };
  const value = values[field];
  return typeof value === "string" ? [value] : [];
}

const timeFields = {
  REQUESTED_AT: (r: BillingKeyRecord) => r.requestedAt,
  ISSUED_AT: (r: BillingKeyRecord) => r.issuedAt,
  DELETED_AT: (r: BillingKeyRecord) => r.deletedAt ?? "",
  STATUS_TIMESTAMP: (r: BillingKeyRecord) => r.deletedAt ?? r.issuedAt,
} as const;
const timeFieldNames = Object.keys(timeFields) as (keyof typeof timeFields)[];

export function getBillingKeyInfos(ctx: DomainContext, body: Input): GetBillingKeyInfosResponse {
  const filter = body.optionalObject("filter");
  assertStore(ctx, filter?.raw("storeId"));
  const timeOf = timeFields[filter?.oneOf("timeRangeField", timeFieldNames) ?? "REQUESTED_AT"];
  const from = filter?.optionalDate("from");
  const until = filter?.optionalDate("until");
  const statuses = filter?.optionalArray("status") as string[] | undefined;
  const customerId = filter?.optionalString("customerId");
  const sort = body.optionalObject("sort");
  const sortTime = timeFields[sort?.oneOf("by", timeFieldNames) ?? "REQUESTED_AT"];
  const order = sort?.oneOf("order", ["ASC", "DESC"] as const) ?? "DESC";
  const listed = (field: string) => filter?.optionalArray(field) as string[] | undefined;
  const methods = listed("methods");
  const pgProviders = listed("pgProviders");
  const pgCompanies = listed("pgCompanies");
  const version = filter?.optionalString("version");
  const platformType = filter?.optionalString("platformType");
  const channelGroupIds = listed("channelGroupIds");
  const textSearch = filter?.optionalObject("textSearch");
  const search = textSearch && {
    field: textSearch.string("field"),
    value: textSearch.string("value"),
  };
  const matching = [...ctx.state.billingKeys.values()].filter((record) => {
    // Sandbox billing keys are cards issued over the API on the TOSSPAYMENTS test channel.
    if (methods && !methods.includes("CARD")) return false;
    if (pgProviders && !pgProviders.includes("TOSSPAYMENTS")) return false;
    if (pgCompanies && !pgCompanies.includes("TOSSPAYMENTS")) return false;
    if (version !== undefined && version !== "V2") return false;
    if (platformType !== undefined && platformType !== "API") return false;
    if (channelGroupIds?.length) return false;
    if (
      search &&
      !billingKeyText(record, search.field).some((text) => text.includes(search.value))
    ) {
      return false;
    }
    const time = Date.parse(timeOf(record));
    if (from !== undefined && !(time >= from)) return false;
    if (until !== undefined && !(time < until)) return false;
    if (statuses && !statuses.includes(record.status)) return false;
    if (customerId !== undefined && record.customer.id !== customerId) return false;
    return true;
  });
  matching.sort(compareBy(sortTime, order));
  const { items, page } = paginate(matching, body.optionalObject("page"));
  return { items: items.map(billingKeyView), page };
}

export function deleteBillingKey(
  ctx: DomainContext,
  billingKey: string,
  query: Record<string, string | undefined>,
): DeleteBillingKeyResponse {
  assertStore(ctx, query.storeId);
  const record = findBillingKey(ctx, billingKey);
  if (record.status === "DELETED") {
    throw new PortOneApiError(
      "BILLING_KEY_ALREADY_DELETED",
      `Billing key ${billingKey} is already deleted.`,
    );
  }
  const scheduled = [...ctx.state.schedules.values()].some(
    (schedule) => schedule.billingKey === billingKey && schedule.status === "SCHEDULED",
  );
  if (scheduled) {
    throw new PortOneApiError(
      "PAYMENT_SCHEDULE_ALREADY_EXISTS",
      `Billing key ${billingKey} has scheduled payments; revoke them first.`,
    );
  }
  const now = isoAt(ctx.clock);
  record.status = "DELETED";
  record.deletedAt = now;
  if (query.skipWebhook !== "true") {
    ctx.events.publish({
      type: "BillingKey.Deleted",
      data: { storeId: record.storeId, billingKey },
    });
  }
  ctx.state.changed();
  return { deletedAt: now };
}
