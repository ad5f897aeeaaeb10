import { createTRPCClient, httpBatchLink } from "@trpc/client";
// Only a type crosses from the server: the bundle contains none of the service's code.
// Outside this repository: `import type { AppRouter } from "portone-bff/router"`.
import type { AppRouter } from "../../router/index.js";

/**
 * The service's API. The page is served by the service itself, so `/trpc` is on the same
 * origin: no CORS set-up. A real shop would add its customer's token here:
 * `httpBatchLink({ url, headers: () => ({ authorization: `Bearer ${token}` }) })`.
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/trpc" })],
});

export type PreparedPayment = Awaited<ReturnType<typeof trpc.payment.prepare.mutate>>;
export type PaymentView = Awaited<ReturnType<typeof trpc.payment.get.query>>;
export type PaymentStatus = PaymentView["status"];
