// The hand-written peer of `payment.complete` and `payment.get`: what a shop writes instead of
// running this service. A plain Fastify app (no logger, Fastify's default) with the official
// `@portone/server-sdk`: take `{ paymentId }`, fetch the payment from PortOne, compare its
// amount and currency with the shop's order, answer. The shop's orders live in a Map here (its
// own database in real life), filled by `POST /orders` before the benchmark starts.
import { PortOneClient } from "@portone/server-sdk";
import Fastify from "fastify";

/** @param {{ apiSecret: string, baseUrl: string }} portone */
export function buildPeerApp(portone) {
  const client = PortOneClient({ secret: portone.apiSecret, baseUrl: portone.baseUrl });
  /** @type {Map<string, { amount: number, currency: string, status: string }>} */
  const orders = new Map();
  const app = Fastify();

  app.post("/orders", async (request) => {
    for (const { paymentId, amount, currency } of request.body.orders)
      orders.set(paymentId, { amount, currency, status: "READY" });
    return { orders: orders.size };
  });

  /** Fetches the payment and checks it against the order: the whole of a shop's verification. */
  const verify = async (paymentId, reply) => {
    if (typeof paymentId !== "string" || paymentId.length === 0)
      return reply.code(400).send({ message: "paymentId is required" });
    const order = orders.get(paymentId);
    if (!order) return reply.code(404).send({ message: "no such order" });
    const payment = await client.payment.getPayment({ paymentId });
    if (payment.status !== "PAID") return { paymentId, status: payment.status };
    if (payment.amount.total !== order.amount || payment.currency !== order.currency)
      return reply.code(400).send({ paymentId, status: "MISMATCH" });
    order.status = "PAID";
    return { paymentId, status: "PAID", paidAt: payment.paidAt, amount: payment.amount.total };
  };

  app.post("/payment/complete", async (request, reply) => verify(request.body?.paymentId, reply));
  app.get("/payment/:paymentId", async (request, reply) => verify(request.params.paymentId, reply));
  return app;
}
