import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConcurrentPaymentUpdateError } from "../../src/payments/errors.js";
import type { PaymentStatusChanged } from "../../src/payments/ports.js";
import { type SyncPaymentDeps, syncPayment } from "../../src/payments/sync-payment.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { type Database, migrate, openDatabase } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";
import { checkout, type RunningSandbox, startSandbox } from "./support/harness.js";

let sandbox: RunningSandbox;
let db: Database;
let dataDir: string;
let base: Omit<SyncPaymentDeps, "events">;
let sequence = 0;

beforeAll(async () => {
  sandbox = await startSandbox();
  dataDir = mkdtempSync(join(tmpdir(), "bff-sync-"));
  db = await openDatabase({ dataDir });
  await migrate(db, paymentRecordMigrations);
  const client = PortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl: sandbox.url });
  base = { portone: client.payment, records: createPaymentRecordStore(db), channelType: "TEST" };
});

afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
  await sandbox?.sandbox.close();
});

/** A payment this service prepared and the sandbox has since marked paid. */
async function paidPayment(): Promise<string> {
  sequence += 1;
  const paymentId = `sync-${process.pid}-${Date.now()}-${sequence}`;
  await base.records.insertPaymentRecord({
    paymentId,
    orderId: `order-${paymentId}`,
    customerId: null,
    totalAmount: 9_900,
    currency: "KRW",
  });
  await base.portone.preRegisterPayment({ paymentId, totalAmount: 9_900, currency: "KRW" });
  const prepared = { storeId: sandbox.sandbox.storeId, channelKey: sandbox.sandbox.channelKey };
  await checkout(sandbox, prepared, {
    paymentId,
    orderName: "Sync test",
    totalAmount: 9_900,
    currency: "KRW",
    outcome: "paid",
  });
  return paymentId;
}

function collectingSink() {
  const events: PaymentStatusChanged[] = [];
  return {
    events,
    sink: { publish: async (event: PaymentStatusChanged) => void events.push(event) },
  };
}

describe("syncPayment", () => {
  it("many concurrent syncs of one change write it and publish it exactly once", async () => {
    const paymentId = await paidPayment();
    const { events, sink } = collectingSink();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => syncPayment(paymentId, { ...base, events: sink })),
    );
    expect(results.filter((result) => result.outcome === "changed")).toHaveLength(1);
    expect(new Set(results.map((result) => result.record.status))).toEqual(new Set(["PAID"]));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ previousStatus: "PREPARED", status: "PAID" });
  });

  it("a change whose event was lost is announced again by a later sync, once", async () => {
    const paymentId = await paidPayment();
    const failing = {
      publish: async () => {
        throw new Error("outbox unavailable");
      },
    };
    await expect(syncPayment(paymentId, { ...base, events: failing })).rejects.toThrow(
      "outbox unavailable",
    );
    const recorded = await base.records.getPaymentRecord(paymentId);
    expect(recorded).toMatchObject({ status: "PAID", unpublishedPreviousStatus: "PREPARED" });

    // Within the grace period the writer might still be publishing: nobody else does.
    const { events, sink } = collectingSink();
    await syncPayment(paymentId, { ...base, events: sink });
    expect(events).toHaveLength(0);

    await syncPayment(paymentId, { ...base, events: sink, lostEventGraceMs: 0 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ paymentId, previousStatus: "PREPARED", status: "PAID" });
    await syncPayment(paymentId, { ...base, events: sink, lostEventGraceMs: 0 });
    expect(events).toHaveLength(1);
    expect((await base.records.getPaymentRecord(paymentId))?.unpublishedPreviousStatus).toBeNull();
  });

  it("a payment PortOne does not know yet stays PREPARED; an unknown paymentId is an error", async () => {
    const { events, sink } = collectingSink();
    await base.records.insertPaymentRecord({
      paymentId: `not-started-${Date.now()}`,
      orderId: `order-not-started-${Date.now()}`,
      customerId: null,
      totalAmount: 1,
      currency: "KRW",
    });
    const listed = await base.records.listPaymentRecordsUpdatedSince("1970-01-01T00:00:00Z", 1000);
    const notStarted = listed.find((record) => record.paymentId.startsWith("not-started-"));
    const result = await syncPayment(notStarted?.paymentId as string, { ...base, events: sink });
    expect(result).toMatchObject({ outcome: "not-started", payment: null });
    expect(result.record.status).toBe("PREPARED");
    await expect(syncPayment("never-prepared", { ...base, events: sink })).rejects.toThrow(
      /Payment not found/,
    );
    expect(events).toHaveLength(0);
  });

  it("losing every compare-and-set race gives up with a retryable ServiceError, never a bare Error", async () => {
    const { events, sink } = collectingSink();
    const paymentId = await paidPayment();
    let updates = 0;
    // Another writer wins every race but never writes PAID, so each attempt must look again.
    const lose = async () => {
      updates += 1;
      return null;
    };
    const contended = { ...base.records, updatePaymentRecord: lose, recordStatusChange: lose };
    const error = await syncPayment(paymentId, { ...base, records: contended, events: sink }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConcurrentPaymentUpdateError);
    expect(error).toMatchObject({ kind: "unavailable", paymentId, attempts: 5 });
    expect(updates).toBe(5);
    expect(events).toHaveLength(0);
  });
});
