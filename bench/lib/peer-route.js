// The hand-written peer of `payment.complete` and `payment.get`: what a shop writes instead of
// running this service. A plain Fastify app (no logger, Fastify's default) with the official
// `@portone/server-sdk`: take `{ paymentId }`, fetch the payment from PortOne, compare its
// amount and currency with the shop's order, mark the order paid, answer. The shop's orders
// are filled by `POST /orders` before the benchmark starts and live either in a Map (the
// cheapest a shop could do) or, as a shop keeps them, in a SQLite file (better-sqlite3,
// statements prepared once: read the order, compare, mark it paid).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PortOneClient } from "@portone/server-sdk";
import Database from "better-sqlite3";
import Fastify from "fastify";

/** @typedef {{ amount: number, currency: string, status: string }} Order */

function mapOrders() {
  /** @type {Map<string, Order>} */
  const orders = new Map();
  return {
    add: (paymentId, order) => orders.set(paymentId, order),
    get: (paymentId) => orders.get(paymentId),
    markPaid: (paymentId) => {
      const order = orders.get(paymentId);
      if (order) order.status = "PAID";
    },
    close: () => {},
  };
}

function sqliteOrders() {
  const dir = mkdtempSync(join(tmpdir(), "bench-peer-orders-"));
  const db = new Database(join(dir, "shop.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE orders (payment_id TEXT PRIMARY KEY, amount INTEGER NOT NULL,
           currency TEXT NOT NULL, status TEXT NOT NULL)`);
  const insert = db.prepare("INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?)");
  const select = db.prepare("SELECT amount, currency, status FROM orders WHERE payment_id = ?");
  const markPaid = db.prepare(
    "UPDATE orders SET status = 'PAID' WHERE payment_id = ? AND status <> 'PAID'",
  );
  return {
    add: (paymentId, order) => insert.run(paymentId, order.amount, order.currency, order.status),
    get: (paymentId) => select.get(paymentId),
    markPaid: (paymentId) => markPaid.run(paymentId),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * @param {{ apiSecret: string, baseUrl: string }} portone
 * @param {{ orders?: "map" | "sqlite" }} [options]
 */
export function buildPeerApp(portone, options = {}) {
  const client = PortOneClient({ secret: portone.apiSecret, baseUrl: portone.baseUrl });
  const orders = options.orders === "sqlite" ? sqliteOrders() : mapOrders();
  const app = Fastify();
  app.addHook("onClose", async () => orders.close());

  app.post("/orders", async (request) => {
    for (const { paymentId, amount, currency } of request.body.orders)
      orders.add(paymentId, { amount, currency, status: "READY" });
    return { orders: request.body.orders.length };
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
    if (order.status !== "PAID") orders.markPaid(paymentId);
    return { paymentId, status: "PAID", paidAt: payment.paidAt, amount: payment.amount.total };
  };

  app.post("/payment/complete", async (request, reply) => verify(request.body?.paymentId, reply));
  app.get("/payment/:paymentId", async (request, reply) => verify(request.params.paymentId, reply));
  return app;
}
