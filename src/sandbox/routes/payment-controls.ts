import type { FastifyInstance } from "fastify";
import { issueBillingKeyFromWindow } from "../domain/billing-keys.js";
import { readCheckoutProfile } from "../domain/checkout-profiles.js";
import type { DomainContext } from "../domain/context.js";
import { payWithBillingKey } from "../domain/direct-payments.js";
import { sentOtp } from "../domain/identity-verifications.js";
import { completePaymentSession, openSession } from "../domain/payment-sessions.js";
import { settlePendingCancellation } from "../domain/payments.js";
import { readPromotion } from "../domain/promotions.js";
import { PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { JsonObject } from "../state/records.js";
import { paymentSessionPage } from "./payment-session-page.js";

/**
 * Sandbox-only controls for what PortOne's PGs and customers do outside the API: a PG answering
 * a pending cancellation, the code texted for an identity verification, a hosted checkout
 * page, promotions and checkout profiles, and a billing key window without a browser.
 */
export async function paymentControls(app: FastifyInstance, options: { ctx: DomainContext }) {
  const { ctx } = options;

  app.post<{ Params: { paymentId: string; cancellationId: string } }>(
    "/sandbox/payments/:paymentId/cancellations/:cancellationId/settle",
    async (request) => {
      const outcome =
        Input.of(request.body).oneOf("outcome", ["succeeded", "failed"] as const) ?? "succeeded";
      const { paymentId, cancellationId } = request.params;
      return {
        cancellation: settlePendingCancellation(
          ctx,
          paymentId,
          cancellationId,
          outcome === "succeeded",
        ),
      };
    },
  );

  app.get<{ Params: { identityVerificationId: string } }>(
    "/sandbox/identity-verifications/:identityVerificationId/otp",
    async (request) => ({ otp: sentOtp(ctx, request.params.identityVerificationId) }),
  );

  app.get("/sandbox/promotions", async () => ({ promotions: [...ctx.state.promotions.values()] }));
  app.post("/sandbox/promotions", async (request) => {
    const promotion = readPromotion(ctx, request.body);
    ctx.state.promotions.set(promotion.id, promotion);
    ctx.state.changed();
    return { promotion };
  });

  app.get("/sandbox/checkout-profiles", async () => ({
    checkoutProfiles: [...ctx.state.checkoutProfiles.values()],
  }));
  app.post("/sandbox/checkout-profiles", async (request) => {
    const profile = readCheckoutProfile(request.body, ctx.state.channels);
    ctx.state.checkoutProfiles.set(profile.key, profile);
    ctx.state.changed();
    return { checkoutProfile: profile };
  });

  app.get<{ Params: { sessionId: string } }>(
    "/sandbox/payment-sessions/:sessionId",
    async (request, reply) => {
      let page: string;
      try {
        page = paymentSessionPage(openSession(ctx, request.params.sessionId));
      } catch (error) {
        if (!(error instanceof PortOneApiError)) throw error;
        return reply.code(error.status).type("text/plain; charset=utf-8").send(error.message);
      }
      return reply.type("text/html; charset=utf-8").send(page);
    },
  );
  app.post<{ Params: { sessionId: string } }>(
    "/sandbox/payment-sessions/:sessionId/complete",
    async (request) =>
      completePaymentSession(ctx, request.params.sessionId, Input.of(request.body)),
  );

  // requestIssueBillingKey(AndPay) as its window would end it, for tests without a browser.
  app.post("/sandbox/billing-keys/issue", async (request) =>
    issueAsTheWindowWould(ctx, Input.of(request.body)),
  );
}

/** The billing key window's ending for a request, with the card it would have been given. */
function issueAsTheWindowWould(ctx: DomainContext, input: Input) {
  const cardNumber = input.optionalString("cardNumber") ?? "5365100000001234";
  const issueBody = Input.of({
    ...input.toJSON(),
    method: { card: { credential: { number: cardNumber, expiryMonth: "12", expiryYear: "30" } } },
  });
  const paymentId = input.optionalString("paymentId");
  if (paymentId === undefined) return issueBillingKeyFromWindow(ctx, issueBody);
  const payment: JsonObject = {
    storeId: input.raw("storeId"),
    channelKey: input.raw("channelKey"),
    orderName: input.string("orderName"),
    currency: input.string("currency"),
    amount: { total: input.integer("totalAmount") },
  };
  const issued = issueBillingKeyFromWindow(ctx, issueBody, { paymentId, input: payment });
  if ("billingIssueToken" in issued) return { ...issued, paymentId };
  payWithBillingKey(ctx, paymentId, Input.of({ ...payment, billingKey: issued.billingKey }));
  return { ...issued, paymentId };
}
