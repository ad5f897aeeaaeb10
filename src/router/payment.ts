import {
  confirmInput,
  paymentIdInput,
  paymentViewOutput,
  preparedPaymentOutput,
  prepareInput,
} from "./schemas.js";
import { authedProcedure, router } from "./trpc.js";

export const paymentRouter = router({
  /** Looks the order up at the shop and pre-registers its amount; returns what the browser SDK needs. */
  prepare: authedProcedure
    .input(prepareInput)
    .output(preparedPaymentOutput)
    .mutation(({ ctx, input }) => ctx.payments.prepare(input.orderId, ctx.caller)),

  /** Call when the browser checkout returns: verifies the payment with PortOne against the order. */
  complete: authedProcedure
    .input(paymentIdInput)
    .output(paymentViewOutput)
    .mutation(({ ctx, input }) => ctx.payments.complete(input.paymentId, ctx.caller)),

  /** Manual-confirm checkouts: confirms with the order's amount, currency and test flag. */
  confirm: authedProcedure
    .input(confirmInput)
    .output(paymentViewOutput)
    .mutation(({ ctx, input }) => ctx.payments.confirm(input, ctx.caller)),

  /** The caller's payment as PortOne sees it now, verified against the order. */
  get: authedProcedure
    .input(paymentIdInput)
    .output(paymentViewOutput)
    .query(({ ctx, input }) => ctx.payments.get(input.paymentId, ctx.caller)),
});
