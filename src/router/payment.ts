import type { Caller } from "../payments/access.js";
import {
  confirmInput,
  paymentIdInput,
  paymentViewOutput,
  preparedPaymentOutput,
  prepareInput,
} from "./schemas.js";
import { authedProcedure, router } from "./trpc.js";

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
    .output(preparedPaymentOutput)
    .mutation(({ ctx, input }) =>
      ctx.payments.prepare(input.orderId, withGuestToken(ctx.caller, input.guestToken)),
    ),

  /** Call when the browser checkout returns: verifies the payment with PortOne against the order. */
  complete: authedProcedure
    .input(paymentIdInput)
    .output(paymentViewOutput)
    .mutation(({ ctx, input }) =>
      ctx.payments.complete(input.paymentId, withGuestToken(ctx.caller, input.guestToken)),
    ),

  /** Manual-confirm checkouts: confirms with the order's amount, currency and test flag. */
  confirm: authedProcedure
    .input(confirmInput)
    .output(paymentViewOutput)
    .mutation(({ ctx, input }) => {
      const { guestToken, ...confirmation } = input;
      return ctx.payments.confirm(confirmation, withGuestToken(ctx.caller, guestToken));
    }),

  /** The caller's payment as PortOne sees it now, verified against the order. */
  get: authedProcedure
    .input(paymentIdInput)
    .output(paymentViewOutput)
    .query(({ ctx, input }) =>
      ctx.payments.get(input.paymentId, withGuestToken(ctx.caller, input.guestToken)),
    ),
});
