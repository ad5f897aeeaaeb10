import type { Caller } from "../payments/access.js";
import {
  confirmInput,
  paymentIdInput,
  paymentViewOutput,
  preparedPaymentOutput,
  prepareInput,
} from "./schemas.js";
import { answerAs, authedProcedure, router } from "./trpc.js";

const asPreparedPayment = answerAs(preparedPaymentOutput);
const asPaymentView = answerAs(paymentViewOutput);

/** A guest proves ownership with the token of its first `prepare`; customers by their sign-in. */
function withGuestToken(caller: Caller, guestToken: string | undefined): Caller {
  return guestToken === undefined ? caller : { ...caller, guestToken };
}

export const paymentRouter = router({
  /**
   * Looks the order up at the shop and pre-registers its amount; returns what the browser SDK
   * needs, and for a guest order the guest token every later call must send.
   */
  prepare: authedProcedure
    .input(prepareInput)
    .mutation(({ ctx, input }) =>
      asPreparedPayment(
        ctx.payments.prepare(input.orderId, withGuestToken(ctx.caller, input.guestToken)),
      ),
    ),

  /** Call when the browser checkout returns: verifies the payment with PortOne against the order. */
  complete: authedProcedure
    .input(paymentIdInput)
    .mutation(({ ctx, input }) =>
      asPaymentView(
        ctx.payments.complete(input.paymentId, withGuestToken(ctx.caller, input.guestToken)),
      ),
    ),

  /** Manual-confirm checkouts: confirms with the order's amount, currency and test flag. */
  confirm: authedProcedure.input(confirmInput).mutation(({ ctx, input }) => {
    const { guestToken, ...confirmation } = input;
    return asPaymentView(
      ctx.payments.confirm(confirmation, withGuestToken(ctx.caller, guestToken)),
    );
  }),

  /** The caller's payment as PortOne sees it now, verified against the order. */
  get: authedProcedure
    .input(paymentIdInput)
    .query(({ ctx, input }) =>
      asPaymentView(
        ctx.payments.get(input.paymentId, withGuestToken(ctx.caller, input.guestToken)),
      ),
    ),
});
