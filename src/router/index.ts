import { paymentRouter } from "./payment.js";
import { router } from "./trpc.js";

/** The service's tRPC API, served at /trpc. */
export const appRouter = router({
  payment: paymentRouter,
});

/** Import this type in the browser: `createTRPCClient<AppRouter>(...)` (from "portone-bff/router"). */
export type AppRouter = typeof appRouter;

export type { PaymentProcedures, RequestContext } from "./context.js";
