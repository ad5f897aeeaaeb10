import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  DECLINED_CARD_NUMBER,
  issueBillingKeyFromWindow,
  type WindowIssue,
} from "../domain/billing-keys.js";
import { startCheckout } from "../domain/checkout.js";
import type { DomainContext } from "../domain/context.js";
import { payWithBillingKey } from "../domain/direct-payments.js";
import {
  failIdentityVerification,
  type IdentityVerificationStart,
  verifyIdentity,
} from "../domain/identity-verifications.js";
import { currentTransaction } from "../domain/transactions.js";
import { PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { JsonObject } from "../state/records.js";
import type { TransactionType } from "./requests.js";
import type { CheckoutSession, SdkResponse } from "./sessions.js";

/** What the person can do in the window, per kind of request. */
export const choicesByType = {
  PAYMENT: ["pay", "authorize", "virtual-account", "decline", "close"],
  ISSUE_BILLING_KEY: ["issue", "decline", "close"],
  ISSUE_BILLING_KEY_AND_PAY: ["pay", "decline", "close"],
  IDENTITY_VERIFICATION: ["verify", "decline", "close"],
} as const satisfies Record<TransactionType, readonly string[]>;

/** A card the sandbox's PG accepts; DECLINED_CARD_NUMBER is the one it refuses. */
export const TEST_CARD_NUMBER = "5365100000001234";
/** Toss Payments' code for a checkout the customer abandoned. */
export const USER_CANCELLED_PG_CODE = "PAY_PROCESS_CANCELED";

const pgCode = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1 to 64 letters, digits, '_', '.' or '-'");
const shortText = (max: number) =>
  z
    .string()
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");

const choiceSchema = z.object({
  choice: z.enum(["pay", "authorize", "virtual-account", "decline", "close", "issue", "verify"]),
  pgCode: pgCode.optional(),
  pgMessage: shortText(300).optional(),
  cardNumber: z.enum([TEST_CARD_NUMBER, DECLINED_CARD_NUMBER]).optional(),
  person: z
    .object({
      name: shortText(100).min(1, "must not be empty"),
      phoneNumber: z
        .string()
        .regex(/^[0-9-]{9,15}$/)
        .optional(),
      birthDate: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, "must be yyyy-MM-dd")
        .optional(),
      gender: z.enum(["MALE", "FEMALE"]).optional(),
      operator: z.enum(["SKT", "KT", "LGU", "SKT_MVNO", "KT_MVNO", "LGU_MVNO"]).optional(),
      isForeigner: z.boolean().optional(),
    })
    .optional(),
});
export type Choice = z.infer<typeof choiceSchema>;

/** A choice the window cannot make: the window's own mistake, answered with a 400. */
export class InvalidChoiceError extends Error {}

export function parseChoice(session: CheckoutSession, body: unknown): Choice {
  const parsed = choiceSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidChoiceError(`${issue?.path.join(".") || "choice"}: ${issue?.message}`);
  }
  const { transactionType, request } = session.checkout;
  const allowed: readonly string[] = choicesByType[transactionType];
  if (!allowed.includes(parsed.data.choice)) {
    throw new InvalidChoiceError(
      `A ${transactionType} window has no choice ${parsed.data.choice}.`,
    );
  }
  if (transactionType === "PAYMENT") {
    const virtualAccount = request.payMethod === "VIRTUAL_ACCOUNT";
    const isVirtualAccountChoice = parsed.data.choice === "virtual-account";
    const settlesAtOnce = parsed.data.choice === "pay" || parsed.data.choice === "authorize";
    if ((isVirtualAccountChoice && !virtualAccount) || (settlesAtOnce && virtualAccount)) {
      throw new InvalidChoiceError(
        `payMethod ${String(request.payMethod)} has no choice ${parsed.data.choice}.`,
      );
    }
  }
  if (parsed.data.choice === "verify" && !parsed.data.person) {
    throw new InvalidChoiceError("person is required to verify an identity.");
  }
  return parsed.data;
}

/** The failure a decline or a closed window ends with. */
function failureOf(choice: Choice, what: string): { pgCode: string; reason: string } {
  if (choice.choice === "close") {
    return { pgCode: USER_CANCELLED_PG_CODE, reason: `The customer closed the ${what} window.` };
  }
  return {
    pgCode: choice.pgCode ?? "SANDBOX_DECLINED",
    reason: choice.pgMessage || "The PG declined the request.",
  };
}

function failedResponse(transactionType: string, failure: { pgCode: string; reason: string }) {
  return {
    transactionType,
    code: "PGProviderError",
    message: failure.reason,
    pgCode: failure.pgCode,
    pgMessage: failure.reason,
  };
}

/** The browser SDK code for an API error the domain raised while completing. */
function codeOf(error: PortOneApiError): string {
  const byType: Record<string, string> = {
    ALREADY_PAID: "PaymentAlreadyPaid",
    PG_PROVIDER: "PGProviderError",
    IDENTITY_VERIFICATION_ALREADY_VERIFIED: "IdentityVerificationAlreadyVerified",
    FORBIDDEN: "StoreNotFound",
    CHANNEL_NOT_FOUND: "ChannelNotFound",
  };
  return byType[error.type] ?? "BadRequest";
}

function errorResponse(transactionType: string, error: PortOneApiError, ids: JsonObject) {
  const pg = error.fields as { pgCode?: string; pgMessage?: string };
  return {
    transactionType,
    ...ids,
    code: codeOf(error),
    message: error.message,
    ...(pg.pgCode ? { pgCode: pg.pgCode, pgMessage: pg.pgMessage ?? error.message } : {}),
  };
}

/** Applies the person's choice to the sandbox's state and answers what the SDK resolves with. */
export function completeCheckout(
  ctx: DomainContext,
  session: CheckoutSession,
  choice: Choice,
): SdkResponse {
  const { transactionType, request } = session.checkout;
  const ids: JsonObject =
    transactionType === "IDENTITY_VERIFICATION"
      ? { identityVerificationId: request.identityVerificationId }
      : transactionType === "ISSUE_BILLING_KEY"
        ? {}
        : { paymentId: request.paymentId };
  try {
    switch (transactionType) {
      case "PAYMENT":
        return completePayment(ctx, request, choice);
      case "ISSUE_BILLING_KEY":
        return completeBillingKey(ctx, request, choice);
      case "ISSUE_BILLING_KEY_AND_PAY":
        return completeBillingKeyAndPay(ctx, request, choice);
      case "IDENTITY_VERIFICATION":
        return completeIdentityVerification(ctx, request, choice);
    }
  } catch (error) {
    if (error instanceof PortOneApiError) return errorResponse(transactionType, error, ids);
    throw error;
  }
}

/** The requestPayment fields a transaction keeps (never sandbox-only ones such as paidAmount). */
const paymentFields = [
  "storeId",
  "channelKey",
  "paymentId",
  "orderName",
  "totalAmount",
  "currency",
  "payMethod",
  "taxFreeAmount",
  "vatAmount",
  "customer",
  "products",
  "country",
  "isCulturalExpense",
  "customData",
  // Escrow, and the cash receipt a transfer / virtual account customer asks for.
  "isEscrow",
  "virtualAccount",
  "transfer",
  "promotionId",
] as const;

function completePayment(ctx: DomainContext, request: JsonObject, choice: Choice): SdkResponse {
  const fields: JsonObject = {};
  for (const field of paymentFields) {
    if (request[field] !== undefined) fields[field] = request[field];
  }
  const outcome = {
    pay: "paid",
    authorize: "awaiting-confirm",
    "virtual-account": "virtual-account-issued",
  }[choice.choice as string];
  if (outcome) return { ...startCheckout(ctx, Input.of({ ...fields, outcome })) };
  const failure = failureOf(choice, "payment");
  return {
    ...startCheckout(
      ctx,
      Input.of({
        ...fields,
        outcome: "failed",
        failureReason: failure.reason,
        pgCode: failure.pgCode,
      }),
    ),
  };
}

/** The browser SDK's `customer` in the REST API's `CustomerInput` shape. */
function apiCustomer(customer: unknown): JsonObject | undefined {
  if (!customer || typeof customer !== "object") return undefined;
  const { customerId, fullName, firstName, lastName, ...rest } = customer as JsonObject;
  const name =
    typeof fullName === "string"
      ? { full: fullName }
      : typeof firstName === "string" || typeof lastName === "string"
        ? { separated: { first: firstName ?? "", last: lastName ?? "" } }
        : undefined;
  return { ...rest, ...(customerId ? { id: customerId } : {}), ...(name ? { name } : {}) };
}

function customDataText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function issueCardBillingKey(
  ctx: DomainContext,
  request: JsonObject,
  choice: Choice,
  payment?: { paymentId: string; input: JsonObject },
): WindowIssue {
  return issueBillingKeyFromWindow(
    ctx,
    Input.of({
      storeId: request.storeId,
      channelKey: request.channelKey,
      method: {
        card: {
          credential: {
            number: choice.cardNumber ?? TEST_CARD_NUMBER,
            expiryMonth: "12",
            expiryYear: "30",
          },
        },
      },
      customer: apiCustomer(request.customer),
      customData: customDataText(request.customData),
    }),
    payment,
  );
}

function completeBillingKey(ctx: DomainContext, request: JsonObject, choice: Choice): SdkResponse {
  if (choice.choice !== "issue") {
    return failedResponse("ISSUE_BILLING_KEY", failureOf(choice, "billing key"));
  }
  return { transactionType: "ISSUE_BILLING_KEY", ...issueCardBillingKey(ctx, request, choice) };
}

function completeBillingKeyAndPay(
  ctx: DomainContext,
  request: JsonObject,
  choice: Choice,
): SdkResponse {
  const paymentId = request.paymentId as string;
  if (choice.choice !== "pay") {
    return {
      paymentId,
      ...failedResponse("ISSUE_BILLING_KEY_AND_PAY", failureOf(choice, "payment")),
    };
  }
  const paymentInput: JsonObject = {
    storeId: request.storeId,
    channelKey: request.channelKey,
    orderName: request.orderName,
    currency: request.currency,
    amount: {
      total: request.totalAmount,
      ...(request.taxFreeAmount !== undefined ? { taxFree: request.taxFreeAmount } : {}),
      ...(request.vatAmount !== undefined ? { vat: request.vatAmount } : {}),
    },
    customer: apiCustomer(request.customer),
    customData: customDataText(request.customData),
  };
  const issued = issueCardBillingKey(ctx, request, choice, { paymentId, input: paymentInput });
  // Manual confirmation: confirmBillingKeyIssueAndPay pays later.
  if ("billingIssueToken" in issued) {
    return { transactionType: "ISSUE_BILLING_KEY_AND_PAY", ...issued, paymentId };
  }
  const { billingKey } = issued;
  payWithBillingKey(ctx, paymentId, Input.of({ ...paymentInput, billingKey }));
  const payment = ctx.state.payments.get(paymentId);
  const tx = payment && currentTransaction(payment);
  return { transactionType: "ISSUE_BILLING_KEY_AND_PAY", billingKey, paymentId, txId: tx?.id };
}

function completeIdentityVerification(
  ctx: DomainContext,
  request: JsonObject,
  choice: Choice,
): SdkResponse {
  const start: IdentityVerificationStart = {
    identityVerificationId: request.identityVerificationId as string,
    ...(request.customer ? { customer: request.customer as JsonObject } : {}),
    ...(typeof request.customData === "string" ? { customData: request.customData } : {}),
    ...(typeof request.channelKey === "string" ? { channelKey: request.channelKey } : {}),
  };
  const ids = {
    transactionType: "IDENTITY_VERIFICATION",
    identityVerificationId: start.identityVerificationId,
    identityVerificationTxId: randomUUID(),
  };
  if (choice.choice === "verify" && choice.person) {
    verifyIdentity(ctx, start, choice.person);
    return ids;
  }
  const failure = failureOf(choice, "identity verification");
  failIdentityVerification(ctx, start, failure);
  return { ...ids, ...failedResponse("IDENTITY_VERIFICATION", failure) };
}

/** The redirectUrl with the response's fields appended, as PortOne's script redirects. */
export function redirectTarget(redirectUrl: string, response: SdkResponse): string {
  const url = new URL(redirectUrl);
  for (const [key, value] of Object.entries(response)) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  return url.href;
}
