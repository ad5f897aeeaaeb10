import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentRecordStore, PaymentStatusChanged } from "../../src/payments/ports.js";
import { syncPayment } from "../../src/payments/sync-payment.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { type Database, migrate, openDatabase } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";
import type { EventFor } from "../../src/webhooks/event.js";
import { statusChangeEventId } from "../../src/webhooks/outbox-event-sink.js";
import { createWebhooks, type Webhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import { type RunningSandbox, startSandbox } from "../service/support/harness.js";
import { paidBehindTheServicesBack } from "../support/paid-payment.js";

const silent = { info() {}, warn() {}, error() {} };

/**
 * The service crashes after a status change was published to the outbox but before it was
 * marked published (the "crash mid-complete" of the finding); a later sync announces it again.
 * Subscribers dedupe on `event.id`, so both announcements must carry the same id, and the
 * outbox must hold the change once.
 */
describe("stable event ids for re-announced status changes", () => {
  let sandbox: RunningSandbox;
  let db: Database;
  let dataDir: string;
  let records: PaymentRecordStore;
  let webhooks: Webhooks;
  const received: EventFor<"PaymentStatusChanged">[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    dataDir = mkdtempSync(join(tmpdir(), "bff-stable-ids-"));
    db = await openDatabase({ dataDir });
    await migrate(db, paymentRecordMigrations);
    records = createPaymentRecordStore(db);
    webhooks = await createWebhooks({
      store: await openWebhookStore(db),
      sandbox: true,
      secrets: [],
      logger: silent,
    });
    webhooks.on("PaymentStatusChanged", async (event) => {
      received.push(event);
    });
  });
  afterAll(async () => {
    await webhooks?.stop();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await sandbox?.sandbox.close();
  });

  it("a change announced again after a crash reaches subscribers once, under one id", async () => {
    const client = PortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl: sandbox.url });
    const paymentId = await paidBehindTheServicesBack(sandbox, records, "stable");
    const published: PaymentStatusChanged[] = [];
    const sink = {
      async publish(event: PaymentStatusChanged) {
        published.push(event);
        await webhooks.eventSink.publish(event);
      },
    };
    // The crash: the outbox has the event, the record never learns it was published.
    const crashing: PaymentRecordStore = {
      ...records,
      async markPaymentEventPublished() {
        throw new Error("process killed here");
      },
    };
    const deps = { portone: client.payment, channelType: "TEST" as const, events: sink };
    await expect(syncPayment(paymentId, { ...deps, records: crashing })).rejects.toThrow(
      "process killed here",
    );
    // After the restart a later sync (reconciliation, the webhook) announces it again.
    await syncPayment(paymentId, { ...deps, records, lostEventGraceMs: 0 });
    await syncPayment(paymentId, { ...deps, records, lostEventGraceMs: 0 });

    expect(published).toHaveLength(2);
    const ids = published.map((event) => statusChangeEventId(event));
    expect(new Set(ids).size).toBe(1);

    await webhooks.dispatcher.drain();
    const forPayment = received.filter((event) => event.data.paymentId === paymentId);
    expect(forPayment).toHaveLength(1);
    expect(forPayment[0]?.id).toBe(ids[0]);
    expect(forPayment[0]?.data).toMatchObject({ previousStatus: "PREPARED", status: "PAID" });
    // Produced in sandbox mode: marked so nobody takes it for real money.
    expect(forPayment[0]?.livemode).toBe(false);
    expect((await records.getPaymentRecord(paymentId))?.unpublishedPreviousStatus).toBeNull();
  });

  it("different changes of one payment get different ids", () => {
    const change: PaymentStatusChanged = {
      type: "PaymentStatusChanged",
      paymentId: "pay-1",
      version: 2,
      orderId: "order-1",
      customerId: null,
      previousStatus: "PREPARED",
      status: "PAID",
      mismatchReason: null,
      occurredAt: "2030-01-01T00:00:00.000Z",
    };
    const ids = new Set([
      statusChangeEventId(change),
      statusChangeEventId({ ...change, occurredAt: "2031-01-01T00:00:00.000Z" }),
    ]);
    expect(ids.size).toBe(1);
    ids.add(
      statusChangeEventId({ ...change, version: 3, previousStatus: "PAID", status: "CANCELLED" }),
    );
    ids.add(statusChangeEventId({ ...change, paymentId: "pay-2" }));
    ids.add(statusChangeEventId({ ...change, version: 4 }));
    expect(ids.size).toBe(4);
  });
});
