import { evaluateCheckoutProfile } from "../domain/checkout-profiles.js";
import type { DomainContext } from "../domain/context.js";
import {
  closePaymentSession,
  createPaymentSession,
  getPaymentSession,
} from "../domain/payment-sessions.js";
import { getBankInfos } from "../domain/promotions.js";
import type { ApiHandlers } from "../http/portone-api.js";

/** Hosted checkout (payment sessions, checkout profiles) and the bank list. */
export function checkoutSessionHandlers(ctx: DomainContext): ApiHandlers {
  return {
    createPaymentSession: ({ body, request }) =>
      createPaymentSession(ctx, body, `${request.protocol}://${request.host}`),
    getPaymentSession: ({ params }) => getPaymentSession(ctx, params.sessionId as string),
    closePaymentSession: ({ params }) => closePaymentSession(ctx, params.sessionId as string),
    evaluateCheckoutProfile: ({ query }) => evaluateCheckoutProfile(ctx, query),
    getBankInfos: () => getBankInfos(),
  };
}
