import { z } from "zod";
import { PAY_METHODS } from "../domain/checkout.js";
import type { DomainContext } from "../domain/context.js";
import { currentTransaction, isSettled } from "../domain/transactions.js";

/**
 * The browser SDK's requests as the stand-in script forwards them, checked before any window
 * opens. What fails here is what PortOne's own script refuses: the page gets the SDK's error
 * (a rejected promise), and nothing is recorded.
 */

export const transactionTypes = [
  "PAYMENT",
  "ISSUE_BILLING_KEY",
  "IDENTITY_VERIFICATION",
  "ISSUE_BILLING_KEY_AND_PAY",
] as const;
export type TransactionType = (typeof transactionTypes)[number];

/** The window kinds a request* call can open (`UI` belongs to loadPaymentUI). */
export const windowTypes = ["IFRAME", "POPUP", "REDIRECTION"] as const;
export type WindowType = (typeof windowTypes)[number];

/** A refusal before any window opens; `code` is one of browser-sdk.yml's error codes. */
export class BrowserSdkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BrowserSdkError";
  }
}

/** What a checkout window needs to know about the request that opened it. */
export interface CheckoutRequest {
  transactionType: TransactionType;
  /** The SDK's request, validated; extra fields the SDK accepts are kept as given. */
  request: Record<string, unknown>;
  windowType: WindowType;
  redirectUrl?: string;
  forceRedirect: boolean;
  /** The merchant page's origin: where results are posted and who may frame the window. */
  openerOrigin: string;
}

const MAX_TEXT = 1000;
const text = (max = MAX_TEXT) =>
  z
    .string()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
const id = () => text(200);
const amount = () =>
  z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .nonnegative("must not be negative")
    .max(Number.MAX_SAFE_INTEGER, "is too large");

const httpUrl = z
  .string()
  .max(2048, "must be at most 2048 characters")
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL");

const windowTypeField = z
  .object({ pc: z.enum(windowTypes).optional(), mobile: z.enum(windowTypes).optional() })
  .optional();

const customer = z.looseObject({
  customerId: text(200).optional(),
  fullName: text(200).optional(),
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  phoneNumber: text(40).optional(),
  email: text(320).optional(),
});

const common = {
  storeId: text(200),
  windowType: windowTypeField,
  redirectUrl: httpUrl.optional(),
  forceRedirect: z.boolean().optional(),
  noticeUrls: z.array(httpUrl).max(10).optional(),
  customer: customer.optional(),
};

const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as KRW");

const paymentRequest = z
  .looseObject({
    ...common,
    paymentId: id(),
    orderName: text(),
    totalAmount: amount(),
    currency,
    payMethod: z.enum(PAY_METHODS),
    channelKey: text(200).optional(),
    channelGroupId: text(200).optional(),
    taxFreeAmount: amount().optional(),
    vatAmount: amount().optional(),
    products: z.array(z.looseObject({})).max(100).optional(),
  })
  .refine((r) => (r.taxFreeAmount ?? 0) <= r.totalAmount, {
    message: "taxFreeAmount must not exceed totalAmount",
    path: ["taxFreeAmount"],
  });

const billingKeyRequest = z.looseObject({
  ...common,
  channelKey: text(200).optional(),
  billingKeyMethod: z.enum(["CARD", "MOBILE", "EASY_PAY", "PAYPAL"]),
  issueId: id().optional(),
  issueName: text().optional(),
  displayAmount: amount().optional(),
  currency: currency.optional(),
});

const billingKeyAndPayRequest = z.looseObject({
  ...common,
  paymentId: id(),
  orderName: text(),
  totalAmount: amount(),
  currency,
  channelKey: text(200).optional(),
  billingKeyAndPayMethod: z.enum(["MOBILE"]),
  taxFreeAmount: amount().optional(),
  vatAmount: amount().optional(),
});

const identityVerificationRequest = z.looseObject({
  ...common,
  identityVerificationId: id(),
  channelKey: text(200).optional(),
  customData: z.string().max(10_000).optional(),
});

const schemas = {
  PAYMENT: paymentRequest,
  ISSUE_BILLING_KEY: billingKeyRequest,
  ISSUE_BILLING_KEY_AND_PAY: billingKeyAndPayRequest,
  IDENTITY_VERIFICATION: identityVerificationRequest,
} as const;

/** "totalAmount must be an integer": the first problem, named by its field. */
function describe(error: z.ZodError, raw: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "The request is invalid.";
  const field = issue.path.join(".");
  let value: unknown = raw;
  for (const key of issue.path) {
    value =
      value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  if (value === undefined && field) return `${field} is required.`;
  return field ? `${field} ${issue.message}.` : `${issue.message}.`;
}

/**
 * Checks one request* call: its fields, the store and channel, and (for payments) that the
 * payment id can still be paid.
 */
export function parseCheckoutRequest(
  ctx: DomainContext,
  transactionType: TransactionType,
  raw: unknown,
  device: { windowType: unknown; openerOrigin: unknown },
): CheckoutRequest {
  const parsed = schemas[transactionType].safeParse(raw);
  if (!parsed.success) throw new BrowserSdkError("BadRequest", describe(parsed.error, raw));
  const request = parsed.data as Record<string, unknown> & z.infer<(typeof schemas)["PAYMENT"]>;
  const { credentials } = ctx.state;
  if (request.storeId !== credentials.storeId) {
    throw new BrowserSdkError(
      "StoreNotFound",
      `No store ${request.storeId}; the sandbox's storeId is ${credentials.storeId}.`,
    );
  }
  checkChannel(ctx, transactionType, request);
  if (transactionType === "ISSUE_BILLING_KEY" && request.billingKeyMethod !== "CARD") {
    throw new BrowserSdkError(
      "BadRequest",
      `The sandbox issues billing keys for billingKeyMethod CARD only, not ${String(request.billingKeyMethod)}.`,
    );
  }
  if (transactionType === "PAYMENT" || transactionType === "ISSUE_BILLING_KEY_AND_PAY") {
    const payment = ctx.state.payments.get(request.paymentId);
    const tx = payment && currentTransaction(payment);
    if (tx && isSettled(tx.status)) {
      throw new BrowserSdkError(
        "PaymentAlreadyPaid",
        `Payment ${request.paymentId} is already paid.`,
      );
    }
  }
  if (transactionType === "IDENTITY_VERIFICATION") {
    const record = ctx.state.identityVerifications.get(String(request.identityVerificationId));
    if (record?.status === "VERIFIED") {
      throw new BrowserSdkError(
        "IdentityVerificationAlreadyVerified",
        `Identity verification ${String(request.identityVerificationId)} is already verified.`,
      );
    }
  }
  const windowType = z.enum(windowTypes).safeParse(device.windowType);
  if (!windowType.success) {
    throw new BrowserSdkError("BadRequest", "windowType must be IFRAME, POPUP or REDIRECTION.");
  }
  if (windowType.data === "REDIRECTION" && request.redirectUrl === undefined) {
    throw new BrowserSdkError(
      "BadRequest",
      "redirectUrl is required when the window type is REDIRECTION (as on most mobile browsers).",
    );
  }
  return {
    transactionType,
    request,
    windowType: windowType.data,
    ...(request.redirectUrl !== undefined ? { redirectUrl: request.redirectUrl } : {}),
    forceRedirect: request.forceRedirect === true,
    openerOrigin: parseOrigin(device.openerOrigin),
  };
}

function checkChannel(
  ctx: DomainContext,
  transactionType: TransactionType,
  request: { channelKey?: string | undefined; channelGroupId?: string | undefined },
): void {
  const keys = ctx.state.channels.map((channel) => channel.key);
  const channelKey = keys.join(" or ");
  if (request.channelGroupId !== undefined && request.channelKey === undefined) {
    throw new BrowserSdkError(
      "ChannelNotFound",
      `The sandbox has no channel group ${request.channelGroupId}; pass channelKey ${channelKey} instead.`,
    );
  }
  // Identity verification falls back to the store's default channel, as PortOne's does.
  if (request.channelKey === undefined && transactionType !== "IDENTITY_VERIFICATION") {
    throw new BrowserSdkError(
      "BadRequest",
      `channelKey is required; the sandbox's channelKey is ${channelKey}.`,
    );
  }
  if (request.channelKey !== undefined && !keys.includes(request.channelKey)) {
    throw new BrowserSdkError(
      "ChannelNotFound",
      `No channel ${request.channelKey}; the sandbox's channelKey is ${channelKey}.`,
    );
  }
}

function parseOrigin(value: unknown): string {
  if (typeof value === "string" && value.length <= 512) {
    try {
      const url = new URL(value);
      if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === value) {
        return value;
      }
    } catch {
      // falls through to the error below
    }
  }
  throw new BrowserSdkError("BadRequest", "The page's origin is missing or not an http(s) origin.");
}
