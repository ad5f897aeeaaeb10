import Fastify, { type FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/sdk/webhook/index.js";
import { runWebhooksCommand } from "../../src/webhooks/cli-command.js";
import type { DispatcherTuning, PaymentSyncPort } from "../../src/webhooks/dispatcher.js";
import type { DispatchedEvent, PaymentView } from "../../src/webhooks/event.js";
import { createWebhooks, type Webhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import { waitFor } from "../support/wait-for.js";
import { randomSecret, SubscriberServer } from "./support/subscriber-server.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const PORTONE_SECRET = randomSecret();
const ADMIN_TOKEN = "admin-token-for-dispatcher-tests";

const FAST: Partial<DispatcherTuning> = {
  delivery: { maxAttempts: 4, baseDelayMs: 40, maxDelayMs: 200 },
  sync: { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 100 },
  leaseMs: 5_000,
  deliveryTimeoutMs: 2_000,
  pollIntervalMs: 50,
};

const silentLogger = { info() {}, warn() {}, error() {} };

/** What `syncPayment` would return, for a dispatcher without a real payment domain behind it. */
function paymentView(
  paymentId: string,
  status: PaymentView["status"],
  totalAmount = 1000,
): PaymentView {
  return {
    paymentId,
    orderId: `order-of-${paymentId}`,
    status,
    orderName: "Test order",
    totalAmount,
    paidAmount: status === "PAID" ? totalAmount : null,
    cancelledAmount: null,
    currency: "KRW",
    methodKind: "card",
    virtualAccount: null,
    requestedAt: "2030-01-01T00:00:00.000Z",
    paidAt: null,
    failedAt: null,
    cancelledAt: null,
    updatedAt: "2030-01-01T00:00:00.000Z",
    syncedAt: "2030-01-01T00:00:00.000Z",
    receiptUrl: null,
  };
}

interface Harness {
  webhooks: Webhooks;
  app: FastifyInstance;
  baseUrl: string;
  database: TestDatabase;
  registry: Registry;
  post(type: string, data: Record<string, unknown>, id?: string): Promise<string>;
  close(): Promise<void>;
}

let idCounter = 0;
const newId = () => `msg_dispatch_${++idCounter}_${Math.random().toString(36).slice(2)}`;

async function startHarness(
  kind: "sqlite" | "postgres",
  options: {
    subscribers: { url: string; secret: string; events?: string[] }[];
    payments?: PaymentSyncPort;
    tuning?: Partial<DispatcherTuning>;
    configure?: (webhooks: Webhooks) => void;
    sandbox?: boolean;
  },
): Promise<Harness> {
  const database = await openTestDatabase(kind);
  const store = await openWebhookStore(database.db);
  const registry = new Registry();
  const webhooks = await createWebhooks({
    sandbox: options.sandbox ?? false,
    store,
    secrets: [PORTONE_SECRET],
    subscribers: options.subscribers,
    ...(options.payments ? { payments: options.payments } : {}),
    adminToken: ADMIN_TOKEN,
    registry,
    tuning: { ...FAST, ...options.tuning },
    logger: silentLogger,
  });
  options.configure?.(webhooks);
  const app = Fastify();
  await app.register(webhooks.publicPlugin);
  await app.register(webhooks.internalPlugin);
  const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  webhooks.start();
  return {
    webhooks,
    app,
    baseUrl,
    database,
    registry,
    async post(type, data, id = newId()) {
      const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
      const response = await fetch(`${baseUrl}/webhooks/portone`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(await sign(PORTONE_SECRET, body, { id })),
        },
        body,
      });
      expect(response.status).toBe(200);
      return id;
    },
    async close() {
      await webhooks.stop();
      await app.close();
      await database.close();
    },
  };
}

describe.each(DATABASE_KINDS)("webhook dispatch on $kind", ({ kind, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  beforeAll(() => {
    if (skip) console.warn("TEST_DATABASE_URL unset: PostgreSQL dispatch tests skipped");
  });

  async function subscriber(): Promise<SubscriberServer> {
    const server = new SubscriberServer(randomSecret());
    await server.listen();
    cleanups.push(() => server.close());
    return server;
  }
  async function harness(options: Parameters<typeof startHarness>[1]): Promise<Harness> {
    const started = await startHarness(kind, options);
    cleanups.push(() => started.close());
    return started;
  }

  it.skipIf(skip)(
    "fans each event out once to every interested subscriber and handler, signed, with the synced payment",
    async () => {
      const all = await subscriber();
      const billingOnly = await subscriber();
      const seen: Record<string, DispatchedEvent[]> = { paid: [], transaction: [], any: [] };
      const syncedIds: string[] = [];
      const h = await harness({
        subscribers: [
          { url: all.url, secret: all.secret },
          { url: billingOnly.url, secret: billingOnly.secret, events: ["BillingKey.*"] },
        ],
        payments: {
          async sync(paymentId) {
            syncedIds.push(paymentId);
            return paymentView(paymentId, "PAID", 1000);
          },
          isPermanent: () => false,
        },
        configure(webhooks) {
          webhooks.on("Transaction.Paid", (event) => {
            seen.paid?.push(event);
          });
          webhooks.on("Transaction.*", (event) => {
            seen.transaction?.push(event);
          });
          webhooks.on("*", (event) => {
            seen.any?.push(event);
          });
        },
      });
      const paid = await h.post("Transaction.Paid", {
        storeId: "s",
        paymentId: "pay-1",
        transactionId: "t",
      });
      const billing = await h.post("BillingKey.Issued", { storeId: "s", billingKey: "bk-1" });
      const unknown = await h.post("Brand.NewThing", { anything: true });

      await waitFor(
        async () => {
          const deliveries = await h.webhooks.store.listDeliveries({});
          return deliveries.length === 9 && deliveries.every((d) => d.state === "delivered");
        },
        { timeoutMs: 20_000, description: "all deliveries done" },
      );
      await h.webhooks.dispatcher.drain();

      expect(all.acceptedIds().sort()).toEqual([paid, billing, unknown].sort());
      expect(billingOnly.acceptedIds()).toEqual([billing]);
      expect(all.refused).toEqual([]);
      const paidDelivery = all.acceptedFor(paid)[0];
      expect(paidDelivery?.body).toMatchObject({
        id: paid,
        type: "Transaction.Paid",
        source: "portone",
        data: { paymentId: "pay-1" },
        payment: { paymentId: "pay-1", status: "PAID", totalAmount: 1000 },
      });
      expect(all.acceptedFor(unknown)[0]?.body).toMatchObject({
        type: "Brand.NewThing",
        payment: null,
      });
      expect(syncedIds).toEqual(["pay-1"]);

      expect(seen.paid?.map((event) => event.id)).toEqual([paid]);
      expect(seen.paid?.[0]?.data.paymentId).toBe("pay-1");
      expect(seen.transaction?.map((event) => event.id)).toEqual([paid]);
      expect(seen.any?.map((event) => event.id).sort()).toEqual([paid, billing, unknown].sort());
    },
  );

  it.skipIf(skip)(
    "stores the body only for an event a subscriber gets: none is built for an event nobody wants",
    async () => {
      const billingOnly = await subscriber();
      const h = await harness({
        subscribers: [
          { url: billingOnly.url, secret: billingOnly.secret, events: ["BillingKey.*"] },
        ],
      });
      const wanted = await h.post("BillingKey.Issued", { storeId: "s", billingKey: "bk-2" });
      const unwanted = await h.post("Brand.NewThing", { anything: true });
      await waitFor(
        async () => {
          const events = await Promise.all(
            [wanted, unwanted].map((id) => h.webhooks.store.getEvent(id)),
          );
          const deliveries = await h.webhooks.store.listDeliveries({});
          return (
            events.every((event) => event?.state === "dispatched") &&
            deliveries.length === 1 &&
            deliveries[0]?.state === "delivered"
          );
        },
        { timeoutMs: 20_000, description: "both events dispatched, the one delivery done" },
      );
      const stored = await h.webhooks.store.getEvent(wanted);
      expect(JSON.parse(stored?.body ?? "null")).toEqual(billingOnly.acceptedFor(wanted)[0]?.body);
      expect((await h.webhooks.store.getEvent(unwanted))?.body).toBeNull();
    },
  );

  it.skipIf(skip)("attaches the current payment whatever order the events arrive in", async () => {
    const receiver = await subscriber();
    let status: PaymentView["status"] = "READY";
    const h = await harness({
      subscribers: [{ url: receiver.url, secret: receiver.secret }],
      payments: {
        sync: async (paymentId) => paymentView(paymentId, status),
        isPermanent: () => false,
      },
    });
    status = "PAID";
    // The Paid webhook first, the Ready one after it: both carry the payment as it is now.
    const paid = await h.post("Transaction.Paid", { paymentId: "pay-ooo", transactionId: "t" });
    const ready = await h.post("Transaction.Ready", { paymentId: "pay-ooo", transactionId: "t" });
    await waitFor(() => receiver.accepted.length === 2, {
      timeoutMs: 20_000,
      description: "both delivered",
    });
    expect(receiver.acceptedFor(paid)[0]?.body.payment).toMatchObject({
      paymentId: "pay-ooo",
      status: "PAID",
    });
    expect(receiver.acceptedFor(ready)[0]?.body.payment).toMatchObject({
      paymentId: "pay-ooo",
      status: "PAID",
    });
  });

  it.skipIf(skip)(
    "retries a failing payment sync, and fans out without it when the failure is permanent",
    async () => {
      const receiver = await subscriber();
      let failuresLeft = 2;
      const h = await harness({
        subscribers: [{ url: receiver.url, secret: receiver.secret }],
        payments: {
          async sync(paymentId) {
            if (paymentId === "pay-unknown")
              throw new Error("Payment not found. Prepare it first.");
            if (failuresLeft-- > 0) throw new Error("PortOne unreachable");
            return paymentView(paymentId, "PAID");
          },
          isPermanent: (error) =>
            error instanceof Error && error.message.startsWith("Payment not found"),
        },
      });
      const flaky = await h.post("Transaction.Paid", {
        paymentId: "pay-flaky",
        transactionId: "t",
      });
      const unknown = await h.post("Transaction.Paid", {
        paymentId: "pay-unknown",
        transactionId: "t",
      });
      await waitFor(() => receiver.accepted.length === 2, {
        timeoutMs: 20_000,
        description: "both delivered",
      });
      expect(receiver.acceptedFor(flaky)[0]?.body.payment).toMatchObject({
        paymentId: "pay-flaky",
        status: "PAID",
      });
      expect((await h.webhooks.store.getEvent(flaky))?.attempts).toBe(3);
      expect(receiver.acceptedFor(unknown)[0]?.body).toMatchObject({
        payment: null,
        paymentSyncError: "Payment not found. Prepare it first.",
      });
    },
  );

  it.skipIf(skip)("delivers internal status changes from the outbox sink", async () => {
    const receiver = await subscriber();
    const h = await harness({
      subscribers: [
        { url: receiver.url, secret: receiver.secret, events: ["PaymentStatusChanged"] },
      ],
    });
    await h.webhooks.eventSink.publish({
      type: "PaymentStatusChanged",
      paymentId: "pay-int",
      version: 2,
      orderId: "order-1",
      customerId: "c-1",
      previousStatus: "READY",
      status: "PAID",
      mismatchReason: null,
      occurredAt: "2030-01-01T00:00:00.000Z",
    });
    await waitFor(() => receiver.accepted.length === 1, {
      timeoutMs: 20_000,
      description: "status change delivered",
    });
    expect(receiver.accepted[0]?.body).toMatchObject({
      type: "PaymentStatusChanged",
      source: "internal",
      timestamp: "2030-01-01T00:00:00.000Z",
      livemode: true,
      data: { paymentId: "pay-int", previousStatus: "READY", status: "PAID", orderId: "order-1" },
    });
  });

  it.skipIf(skip)("in sandbox mode every event says livemode: false, over HTTP too", async () => {
    const receiver = await subscriber();
    const h = await harness({
      sandbox: true,
      subscribers: [{ url: receiver.url, secret: receiver.secret }],
    });
    const id = await h.post("BillingKey.Issued", { storeId: "store-1", billingKey: "bk-test" });
    await waitFor(() => receiver.acceptedFor(id).length === 1, {
      timeoutMs: 20_000,
      description: "the sandbox event delivered",
    });
    expect(receiver.acceptedFor(id)[0]?.body).toMatchObject({ id, livemode: false });
  });

  it.skipIf(skip)(
    "gets everything to a subscriber that was down for a while, once it is back",
    async () => {
      const receiver = await subscriber();
      receiver.mode = "unreachable";
      const h = await harness({
        subscribers: [{ url: receiver.url, secret: receiver.secret }],
        tuning: { delivery: { maxAttempts: 1_000, baseDelayMs: 30, maxDelayMs: 150 } },
      });
      const ids = await Promise.all(
        Array.from({ length: 5 }, (_, i) => h.post("Transaction.Paid", { paymentId: `p${i}` })),
      );
      await waitFor(
        async () => {
          const deliveries = await h.webhooks.store.listDeliveries({});
          return deliveries.length === 5 && deliveries.every((d) => d.attempts >= 3);
        },
        { timeoutMs: 20_000, description: "several failed attempts per event" },
      );
      receiver.mode = "failing";
      await waitFor(() => receiver.requests.length >= 5, {
        timeoutMs: 20_000,
        description: "503s seen",
      });
      receiver.mode = "up";
      await waitFor(() => new Set(receiver.acceptedIds()).size === 5, {
        timeoutMs: 20_000,
        description: "all delivered",
      });
      await waitFor(
        async () =>
          (await h.webhooks.store.listDeliveries({})).every((d) => d.state === "delivered"),
        { timeoutMs: 20_000, description: "all recorded as delivered" },
      );
      expect(receiver.acceptedIds().sort()).toEqual([...ids].sort());
      expect(
        await h.registry.getSingleMetricAsString("portone_bff_webhook_deliveries_total"),
      ).toMatch(/outcome="retry"} [1-9]/);
    },
  );

  it.skipIf(skip)(
    "dead-letters deliveries to a subscriber that never comes back; replay delivers them",
    async () => {
      const receiver = await subscriber();
      receiver.mode = "failing";
      const h = await harness({ subscribers: [{ url: receiver.url, secret: receiver.secret }] });
      const ids = await Promise.all(
        Array.from({ length: 3 }, (_, i) =>
          h.post("Transaction.Failed", { paymentId: `dead-${i}` }),
        ),
      );
      await waitFor(async () => (await h.webhooks.store.backlog()).deadLetters === 3, {
        timeoutMs: 20_000,
        description: "dead letters",
      });
      const dead = await h.webhooks.store.listDeliveries({ state: "dead" });
      expect(dead.map((d) => d.attempts)).toEqual([4, 4, 4]);
      expect(dead[0]).toMatchObject({ lastError: "HTTP 503", lastStatusCode: 503 });
      expect(await h.registry.getSingleMetricAsString("portone_bff_webhook_dead_letters")).toMatch(
        /portone_bff_webhook_dead_letters 3/,
      );

      // Listing needs the admin token.
      const unauthorised = await fetch(`${h.baseUrl}/admin/webhooks/dead-letters`);
      expect(unauthorised.status).toBe(401);
      const wrong = await fetch(`${h.baseUrl}/admin/webhooks/dead-letters`, {
        headers: { authorization: "Bearer not-the-admin-token" },
      });
      expect(wrong.status).toBe(401);
      const listed = await fetch(`${h.baseUrl}/admin/webhooks/dead-letters`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const { deadLetters } = (await listed.json()) as { deadLetters: { eventId: string }[] };
      expect(deadLetters.map((d) => d.eventId).sort()).toEqual([...ids].sort());

      receiver.mode = "up";
      // One event replayed through the admin route...
      const replayOne = await fetch(`${h.baseUrl}/admin/webhooks/replay`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ eventId: ids[0] }),
      });
      expect(await replayOne.json()).toEqual({ replayed: 1 });
      await waitFor(() => receiver.accepted.length === 1, {
        timeoutMs: 20_000,
        description: "first replay delivered",
      });
      expect(receiver.accepted[0]?.webhookId).toBe(ids[0]);
      expect(receiver.accepted[0]?.attempt).toBe(5);

      // ...the rest through the CLI command, which works on the database directly.
      const output: string[] = [];
      const io = {
        out: (line: string) => output.push(line),
        err: (line: string) => output.push(line),
      };
      const target = { databaseUrl: h.database.databaseUrl, dataDir: h.database.dataDir };
      expect(await runWebhooksCommand(["dead-letters"], target, io)).toBe(0);
      expect(output.filter((line) => line.includes("HTTP 503"))).toHaveLength(2);
      expect(
        await runWebhooksCommand(
          ["replay", "--subscriber", h.webhooks.subscriberIds[0] as string],
          target,
          io,
        ),
      ).toBe(0);
      expect(output.at(-1)).toBe("Replayed 2 dead letters.");
      await waitFor(() => receiver.accepted.length === 3, {
        timeoutMs: 20_000,
        description: "all replays delivered",
      });
      expect(receiver.acceptedIds().sort()).toEqual([...ids].sort());
      expect(await runWebhooksCommand(["frobnicate"], target, io)).toBe(2);
    },
  );

  it.skipIf(skip)("retries an in-process handler that throws", async () => {
    let calls = 0;
    const h = await harness({
      subscribers: [],
      configure(webhooks) {
        webhooks.on(
          "Transaction.Paid",
          () => {
            calls++;
            if (calls < 3) throw new Error("database busy");
          },
          { name: "fulfilment" },
        );
      },
    });
    const id = await h.post("Transaction.Paid", { paymentId: "pay-h" });
    await waitFor(
      async () => {
        const [delivery] = await h.webhooks.store.listDeliveries({ eventId: id });
        return delivery?.state === "delivered";
      },
      { timeoutMs: 20_000, description: "handler succeeded" },
    );
    expect(calls).toBe(3);
    const [delivery] = await h.webhooks.store.listDeliveries({ eventId: id });
    expect(delivery).toMatchObject({ subscriberId: "handler:fulfilment", attempts: 3 });
  });
});
