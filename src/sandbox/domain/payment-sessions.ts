import { randomUUID } from "node:crypto";
import type {
  ClosePaymentSessionResponse,
  CreatePaymentSessionResponse,
  PaymentSession,
} from "../../sdk/generated/paymentSession/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { PaymentSessionRecord } from "../state/records.js";
import { type CheckoutResult, startCheckout } from "./checkout.js";
import { evaluateProfile, findCheckoutProfile } from "./checkout-profiles.js";
import type { DomainContext } from "./context.js";
import { compact } from "./customers.js";
import { assertStore } from "./transactions.js";

/** 30 minutes unless asked otherwise; a hosted checkout page is not kept open for days. */
const DEFAULT_TTL_SECONDS = 30 * 60;
const MAX_TTL_SECONDS = 24 * 60 * 60;

/** Fields of CreatePaymentSessionBody the session keeps as they are. */
const PASSED_ON = [
  "paymentMethod",
  "redirectUrl",
  "products",
  "customerName",
  "customerEmail",
  "storeName",
  "agreements",
  "orderImageUrl",
  "customData",
  "colors",
] as const;

/** createPaymentSession: a hosted checkout page for one order; `origin` is where it is served. */
export function createPaymentSession(
  ctx: DomainContext,
  body: Input,
  origin: string,
): CreatePaymentSessionResponse {
  const storeId = body.string("storeId");
  assertStore(ctx, storeId);
  const profileKey = body.string("profileKey");
  findCheckoutProfile(ctx, profileKey);
  const totalAmount = body.integer("totalAmount");
  if (totalAmount < 0) throw invalidRequest("totalAmount must be at least 0.");
  const ttlSeconds = body.optionalInteger("ttlSeconds") ?? DEFAULT_TTL_SECONDS;
  if (ttlSeconds < 1) throw invalidRequest("ttlSeconds must be at least 1.");
  if (ttlSeconds > MAX_TTL_SECONDS) {
    throw new PortOneApiError(
      "MAX_TTL_EXCEEDED",
      `ttlSeconds ${ttlSeconds} exceeds the sandbox's limit of ${MAX_TTL_SECONDS}.`,
    );
  }
  const now = ctx.clock.now();
  const session: PaymentSessionRecord = {
    id: `payment-session-${randomUUID()}`,
    storeId,
    paymentId: body.string("paymentId"),
    profileKey,
    country: body.string("country"),
    currency: body.string("currency"),
    totalAmount,
    orderName: body.string("orderName"),
    createdAt: isoAt(ctx.clock),
    expiresAt: new Date(now + ttlSeconds * 1000).toISOString(),
  };
  const fields = body.toJSON();
  for (const field of PASSED_ON) if (fields[field] != null) session[field] = fields[field];
  ctx.state.paymentSessions.set(session.id, session);
  ctx.state.changed();
  return {
    sessionId: session.id,
    url: `${origin}/sandbox/payment-sessions/${encodeURIComponent(session.id)}`,
    expiresAt: session.expiresAt,
  };
}

function findSession(ctx: DomainContext, sessionId: string): PaymentSessionRecord {
  const session = ctx.state.paymentSessions.get(sessionId);
  if (!session) {
    throw new PortOneApiError("SESSION_NOT_FOUND", `No payment session ${sessionId}.`);
  }
  return session;
}

/** A session that is closed or past its time can no longer be shown or paid. */
export function openSession(ctx: DomainContext, sessionId: string): PaymentSessionRecord {
  const session = findSession(ctx, sessionId);
  if (session.closedAt !== undefined || Date.parse(session.expiresAt) <= ctx.clock.now()) {
    throw new PortOneApiError(
      "SESSION_EXPIRED",
      `Payment session ${sessionId} ${session.closedAt ? "was closed" : "has expired"}.`,
    );
  }
  return session;
}

export function paymentSessionView(session: PaymentSessionRecord): PaymentSession {
  const { closedAt: _closedAt, ...view } = session;
  return compact(view) as unknown as PaymentSession;
}

export function getPaymentSession(ctx: DomainContext, sessionId: string): PaymentSession {
  return paymentSessionView(openSession(ctx, sessionId));
}

export function closePaymentSession(
  ctx: DomainContext,
  sessionId: string,
): ClosePaymentSessionResponse {
  const session = findSession(ctx, sessionId);
  session.closedAt ??= isoAt(ctx.clock);
  ctx.state.changed();
  return { closedAt: session.closedAt };
}

/**
 * The customer pays (or fails to pay) on the hosted page with one of the methods the profile
 * offers: an ordinary sandbox checkout through that method's channel. The session closes.
 */
export function completePaymentSession(
  ctx: DomainContext,
  sessionId: string,
  body: Input,
): CheckoutResult & { redirectUrl?: string } {
  const session = openSession(ctx, sessionId);
  const offered = evaluateProfile(findCheckoutProfile(ctx, session.profileKey as string), {
    country: session.country as string,
    currency: session.currency as string,
    amount: session.totalAmount as number,
  });
  const wanted = body.optionalString("paymentMethod") ?? (session.paymentMethod as string);
  const method = offered.find(
    (candidate) => wanted === undefined || candidate.paymentMethod === wanted,
  );
  if (!method) {
    throw invalidRequest(
      `The profile offers ${offered.map((m) => m.paymentMethod).join(", ") || "no method"} for this order, not ${wanted}.`,
    );
  }
  const result = startCheckout(
    ctx,
    Input.of({
      storeId: session.storeId,
      channelKey: method.channelKey,
      paymentId: session.paymentId,
      orderName: session.orderName,
      totalAmount: session.totalAmount,
      currency: session.currency,
      payMethod: method.paymentMethod.startsWith("CARD") ? "CARD" : "EASY_PAY",
      outcome: body.oneOf("outcome", ["paid", "failed"] as const) ?? "paid",
      ...(session.customData !== undefined ? { customData: session.customData } : {}),
    }),
  );
  closePaymentSession(ctx, sessionId);
  const redirectUrl = session.redirectUrl as string | undefined;
  if (!redirectUrl) return result;
  const target = new URL(redirectUrl);
  for (const [name, value] of Object.entries(result)) {
    if (typeof value === "string") target.searchParams.set(name, value);
  }
  return { ...result, redirectUrl: target.href };
}
