import { afterAll, describe, expect, it } from "vitest";
import { webhooksModule } from "../../src/webhooks/module.js";
import { createWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import { setFaults } from "../service/support/harness.js";
import {
  QUICK_WEBHOOKS_ENV,
  type ServiceClient,
  type ServiceStack,
  useServiceStack,
} from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";
import { randomSecret, SubscriberServer } from "./support/subscriber-server.js";
import { DATABASE_KINDS } from "./support/test-databases.js";

interface SandboxLogEntry {
  webhookId: string;
  eventType: string;
  status: string;
}

describe.each(DATABASE_KINDS)("sandbox -> service -> subscriber on $kind", ({ kind, skip }) => {
  const subscriber = new SubscriberServer(randomSecret());
  let store: WebhookStore;
  let alice: ServiceClient;

  // Registered before the stack, so that vitest runs this afterAll after the service stopped.
  afterAll(async () => {
    if (skip) return;
    await subscriber.close();
  });

  const stack = useServiceStack(async () => {
    if (skip) return undefined;
    await subscriber.listen();
    return {
      env: {
        ...QUICK_WEBHOOKS_ENV,
        WEBHOOK_SUBSCRIBERS: JSON.stringify([{ url: subscriber.url, secret: subscriber.secret }]),
      },
      deps: { modules: [webhooksModule()] },
      // The stack opens the database and hands it to the service, so the test can look into the inbox.
      database: kind,
      webhooksToService: true,
      afterStart: (started: ServiceStack) => {
        store = createWebhookStore(started.database.db);
      },
    };
  });

  async function payOrder(): Promise<string> {
    alice ??= await stack.client("alice");
    const { prepared, result } = await stack.payNewOrder(alice, "alice");
    expect(result.code).toBeUndefined();
    return prepared.paymentId;
  }

  async function sandboxLog(): Promise<SandboxLogEntry[]> {
    const response = await fetch(`${stack.sandbox.url}/sandbox/webhooks`);
    return ((await response.json()) as { deliveries: SandboxLogEntry[] }).deliveries;
  }

  const eventsFor = (paymentId: string) => subscriber.acceptedForPayment(paymentId);

  it.skipIf(skip)(
    "a checkout's webhook reaches a subscriber signed, with the synced payment attached",
    async () => {
      const paymentId = await payOrder();
      await waitFor(
        () => eventsFor(paymentId).some((delivery) => delivery.body.type === "Transaction.Paid"),
        { timeoutMs: 20_000, description: "Transaction.Paid at the subscriber" },
      );
      expect(subscriber.refused).toEqual([]);
      const paid = eventsFor(paymentId).find(
        (delivery) => delivery.body.type === "Transaction.Paid",
      );
      expect(paid?.body).toMatchObject({
        type: "Transaction.Paid",
        source: "portone",
        format: "2024-04-25",
        data: { paymentId, storeId: stack.sandbox.sandbox.storeId },
        payment: { paymentId, status: "PAID", totalAmount: 25_000, currency: "KRW" },
      });
      // The subscriber sees PortOne's webhook-id, so it can dedupe across both hops.
      const fromSandbox = (await sandboxLog()).filter(
        (entry) => entry.eventType === "Transaction.Paid" && entry.status === "SUCCEEDED",
      );
      expect(fromSandbox.map((entry) => entry.webhookId)).toContain(paid?.webhookId);

      // The status change the webhook's sync caused goes out as an internal event, once.
      await waitFor(
        () =>
          eventsFor(paymentId).some((delivery) => delivery.body.type === "PaymentStatusChanged"),
        { timeoutMs: 20_000, description: "PaymentStatusChanged at the subscriber" },
      );
      const changes = eventsFor(paymentId).filter((d) => d.body.type === "PaymentStatusChanged");
      expect(changes).toHaveLength(1);
      expect(changes[0]?.body).toMatchObject({ source: "internal", data: { status: "PAID" } });
    },
  );

  it.skipIf(skip)(
    "duplicate and out-of-order webhooks end as one row and one delivery each",
    async () => {
      await setFaults(stack.sandbox, [
        { kind: "webhook-duplicate" },
        { kind: "webhook-reorder", count: 3, times: 2 },
      ]);
      const paymentIds = [await payOrder(), await payOrder(), await payOrder()];
      await fetch(`${stack.sandbox.url}/sandbox/webhooks/flush`, { method: "POST" });
      await setFaults(stack.sandbox, []);

      const succeeded = (await sandboxLog())
        .filter((entry) => entry.status === "SUCCEEDED")
        .map((entry) => entry.webhookId);
      const acknowledged = [...new Set(succeeded)];
      // The sandbox really did send duplicates (same webhook-id acknowledged twice).
      expect(succeeded.length).toBeGreaterThanOrEqual(acknowledged.length + paymentIds.length);
      await waitFor(() => acknowledged.every((id) => subscriber.acceptedFor(id).length > 0), {
        timeoutMs: 20_000,
        description: "every acknowledged webhook delivered",
      });
      await waitFor(
        () =>
          paymentIds.every((id) =>
            eventsFor(id).some((delivery) => delivery.body.type === "PaymentStatusChanged"),
          ),
        { timeoutMs: 20_000, description: "status changes delivered" },
      );
      await waitFor(
        async () => {
          const backlog = await store.backlog();
          return backlog.pendingEvents === 0 && backlog.pendingDeliveries === 0;
        },
        { timeoutMs: 20_000, description: "inbox and outbox drained" },
      );
      for (const id of acknowledged) {
        expect(subscriber.acceptedFor(id), `deliveries of ${id}`).toHaveLength(1);
        expect(await store.getEvent(id)).toMatchObject({ id, state: "dispatched" });
      }
      for (const paymentId of paymentIds) {
        const paid = eventsFor(paymentId).filter((d) => d.body.type === "Transaction.Paid");
        expect(paid.length).toBeGreaterThanOrEqual(1);
        for (const delivery of paid) {
          expect(delivery.body.payment).toMatchObject({ paymentId, status: "PAID" });
        }
        const changes = eventsFor(paymentId).filter((d) => d.body.type === "PaymentStatusChanged");
        expect(changes).toHaveLength(1);
      }
    },
  );

  it.skipIf(skip)("the legacy 2024-01-01 format arrives normalised", async () => {
    stack.sandbox.sandbox.setWebhookEndpoints([
      { url: `${stack.running.url}/webhooks/portone`, version: "2024-01-01" },
    ]);
    try {
      const paymentId = await payOrder();
      await waitFor(
        () =>
          eventsFor(paymentId).some(
            (delivery) =>
              delivery.body.format === "2024-01-01" && delivery.body.type === "Transaction.Paid",
          ),
        { timeoutMs: 20_000, description: "legacy Transaction.Paid at the subscriber" },
      );
      const legacy = eventsFor(paymentId).find((delivery) => delivery.body.format === "2024-01-01");
      expect(legacy?.body).toMatchObject({
        source: "portone",
        data: { paymentId },
        payment: { paymentId, status: "PAID" },
      });
    } finally {
      stack.sandbox.sandbox.setWebhookEndpoints([{ url: `${stack.running.url}/webhooks/portone` }]);
    }
  });
});
