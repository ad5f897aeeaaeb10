import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentRecord, PaymentStatusChanged } from "../../src/payments/ports.js";
import { syncPayment } from "../../src/payments/sync-payment.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { type Database, migrate, openDatabase } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";
import { reconcileRecentPayments, webhooksModule } from "../../src/webhooks/index.js";
import { recordLagsBehind } from "../../src/webhooks/reconcile.js";
import { type RunningSandbox, startSandbox } from "../service/support/harness.js";
import { paidBehindTheServicesBack } from "../support/paid-payment.js";
import { useServiceStack } from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";
import { randomSecret, SubscriberServer } from "./support/subscriber-server.js";

const DAY_MS = 86_400_000;
/**
 * The end of a sweep's window a second ahead: a change made within the same millisecond as
 * the sweep (as here, right after checkout) would otherwise sit on the window's edge. In the
 * service the next sweep picks such a change up.
 */
const justAfterNow = () => Date.now() + 1_000;

/** `reconcileRecentPayments`, the exported sweep, against the sandbox's real getPayments. */
describe("reconcileRecentPayments", () => {
  let sandbox: RunningSandbox;
  let db: Database;
  let dataDir: string;
  let records: ReturnType<typeof createPaymentRecordStore>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    dataDir = mkdtempSync(join(tmpdir(), "bff-reconcile-"));
    db = await openDatabase({ dataDir });
    await migrate(db, paymentRecordMigrations);
    records = createPaymentRecordStore(db);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await sandbox?.sandbox.close();
  });

  it("syncs a payment whose webhook never came, once; the next sweep has nothing to do", async () => {
    const paymentId = await paidBehindTheServicesBack(sandbox, records, "reconcile");
    const client = PortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl: sandbox.url });
    const published: PaymentStatusChanged[] = [];
    const deps = {
      portone: client.payment,
      records,
      storeId: sandbox.sandbox.storeId,
      sync: (id: string) =>
        syncPayment(id, {
          portone: client.payment,
          records,
          channelType: "TEST",
          events: { publish: async (event) => void published.push(event) },
        }),
    };
    const first = await reconcileRecentPayments(deps, { now: justAfterNow(), windowMs: DAY_MS });
    expect(first.examined).toBeGreaterThanOrEqual(1);
    expect(first).toMatchObject({ synced: 1, failed: 0 });
    const reconciled = await records.getPaymentRecord(paymentId);
    expect(reconciled?.status).toBe("PAID");
    // The sweep's sync refreshes what reads answer from: the details and the sync time.
    expect(reconciled?.syncedAt).not.toBeNull();
    expect(reconciled?.details).toMatchObject({ paidAmount: reconciled?.totalAmount });
    expect(published.map((event) => [event.paymentId, event.status])).toEqual([
      [paymentId, "PAID"],
    ]);

    const again = await reconcileRecentPayments(deps, { now: justAfterNow(), windowMs: DAY_MS });
    expect(again).toMatchObject({ synced: 0, failed: 0 });
  });

  it("reports a payment whose sync failed instead of swallowing it, and goes on", async () => {
    const paymentId = await paidBehindTheServicesBack(sandbox, records, "reconcile");
    const client = PortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl: sandbox.url });
    const failures: [string, unknown][] = [];
    const report = await reconcileRecentPayments(
      {
        portone: client.payment,
        records,
        storeId: sandbox.sandbox.storeId,
        sync: async () => {
          throw new Error("PortOne went away mid-sweep");
        },
        onSyncFailed: (id, error) => failures.push([id, error]),
      },
      { now: justAfterNow(), windowMs: DAY_MS },
    );
    expect(report.failed).toBeGreaterThanOrEqual(1);
    expect(failures.map(([id]) => id)).toContain(paymentId);
    expect(failures.find(([id]) => id === paymentId)?.[1]).toMatchObject({
      message: "PortOne went away mid-sweep",
    });
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

/**
 * The service as deployed: PortOne gave up on its webhooks (here: they go nowhere) and the
 * browser never called complete. The periodic sweep (RECONCILE_INTERVAL_MS) still finds the
 * paid payment; the subscriber and `payment.get` show it, and nobody reaches inside.
 */
describe("periodic reconciliation in the service", () => {
  const subscriber = new SubscriberServer(randomSecret());
  afterAll(async () => {
    await subscriber.close();
  });

  const stack = useServiceStack(async () => {
    await subscriber.listen();
    return {
      env: {
        LOG_LEVEL: "warn",
        WEBHOOK_SUBSCRIBERS: JSON.stringify([
          { url: subscriber.url, secret: subscriber.secret, events: ["PaymentStatusChanged"] },
        ]),
        WEBHOOK_POLL_INTERVAL_MS: "50",
        RECONCILE_INTERVAL_MS: "200",
      },
      deps: { modules: [webhooksModule()] },
      // No webhook endpoint: PortOne's webhooks never arrive.
      sandbox: { webhookEndpoints: [] },
    };
  });

  it("announces a payment paid behind the service's back without anyone calling complete", async () => {
    const alice = await stack.client("alice");
    const { prepared } = await stack.payNewOrder(alice, "alice");

    const forPayment = () => subscriber.acceptedForPayment(prepared.paymentId);
    await waitFor(() => forPayment().length > 0, {
      timeoutMs: 20_000,
      description: "the status change found by reconciliation",
    });
    expect(forPayment()).toHaveLength(1);
    expect(forPayment()[0]?.body).toMatchObject({
      type: "PaymentStatusChanged",
      data: { paymentId: prepared.paymentId, previousStatus: "PREPARED", status: "PAID" },
    });
    expect((await alice.payment.get.query({ paymentId: prepared.paymentId })).status).toBe("PAID");
  });
});
