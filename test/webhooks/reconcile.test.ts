import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentRecord } from "../../src/payments/ports.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import type { Webhooks } from "../../src/webhooks/pipeline.js";
import { recordLagsBehind } from "../../src/webhooks/reconcile.js";
import {
  checkout,
  configFromEnv,
  newOrder,
  type RunningSandbox,
  type RunningService,
  type ShopBackend,
  serviceEnv,
  signToken,
  startSandbox,
  startService,
  startShopBackend,
  trpcClient,
} from "../service/support/harness.js";
import { randomSecret, SubscriberServer, waitFor } from "./support/subscriber-server.js";

/**
 * PortOne gave up on its webhooks (here: they go nowhere) and the browser never called
 * complete: the periodic getPayments sweep still finds the paid payment and syncs it.
 */
describe("reconciliation against the sandbox", () => {
  let sandbox: RunningSandbox;
  let shop: ShopBackend;
  let running: RunningService;
  let subscriber: SubscriberServer;
  let webhooks: Webhooks | undefined;
  let alice: ReturnType<typeof trpcClient>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    shop = await startShopBackend();
    subscriber = new SubscriberServer(randomSecret());
    await subscriber.listen();
    const env = serviceEnv(sandbox, shop, {
      LOG_LEVEL: "warn",
      WEBHOOK_SUBSCRIBERS: JSON.stringify([
        { url: subscriber.url, secret: subscriber.secret, events: ["PaymentStatusChanged"] },
      ]),
      WEBHOOK_POLL_INTERVAL_MS: "50",
      // Long enough never to fire on its own during the test: sweeps are run by hand.
      RECONCILE_INTERVAL_MS: "3600000",
    });
    running = await startService(configFromEnv(env), {
      modules: [webhooksModule({ onCreated: (created) => (webhooks = created) })],
    });
    // No webhook endpoint: PortOne's webhooks never arrive.
    sandbox.sandbox.setWebhookEndpoints([]);
    alice = trpcClient(running.url, await signToken("alice"));
  });
  afterAll(async () => {
    await running?.service.close();
    await sandbox?.sandbox.close();
    await shop?.app.close();
    await subscriber?.close();
  });

  it("syncs a payment whose webhook never came, once", async () => {
    const order = newOrder("alice");
    shop.orders.set(order.orderId, order);
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    await checkout(sandbox, prepared, { ...prepared, outcome: "paid" });
    const records = running.service.context.records;
    expect((await records.getPaymentRecord(prepared.paymentId))?.status).toBe("PREPARED");

    const reconciler = webhooks?.reconciler;
    if (!reconciler) throw new Error("the webhooks module built no reconciler");
    const report = await reconciler.runOnce();
    expect(report?.examined).toBeGreaterThanOrEqual(1);
    expect(report?.synced).toBeGreaterThanOrEqual(1);
    expect((await records.getPaymentRecord(prepared.paymentId))?.status).toBe("PAID");

    await waitFor("status change delivered", () =>
      subscriber.accepted.some(
        (delivery) =>
          (delivery.body.data as { paymentId?: string }).paymentId === prepared.paymentId,
      ),
    );
    expect(subscriber.accepted.at(-1)?.body).toMatchObject({
      type: "PaymentStatusChanged",
      data: { paymentId: prepared.paymentId, previousStatus: "PREPARED", status: "PAID" },
    });

    // Nothing differs any more: the next sweep syncs nothing.
    const again = await reconciler.runOnce();
    expect(again?.synced).toBe(0);
  });

  it("compares statuses the way the records keep them", () => {
    const record = (
      status: PaymentRecord["status"],
      unpublishedPreviousStatus: PaymentRecord["status"] | null = null,
    ) => ({ status, unpublishedPreviousStatus }) as PaymentRecord;
    expect(recordLagsBehind(record("PREPARED"), "PAID")).toBe(true);
    expect(recordLagsBehind(record("PAID"), "PAID")).toBe(false);
    expect(recordLagsBehind(record("PAID"), "CANCELLED")).toBe(true);
    expect(recordLagsBehind(record("MISMATCH"), "PAID")).toBe(false);
    expect(recordLagsBehind(record("MISMATCH"), "CANCELLED")).toBe(true);
    // Same status, but the change to it was never announced: sync again to publish it.
    expect(recordLagsBehind(record("PAID", "PREPARED"), "PAID")).toBe(true);
  });
});
