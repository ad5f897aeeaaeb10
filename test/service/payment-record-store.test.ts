import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentRecordStore } from "../../src/payments/ports.js";
import { type Database, migrate, openDatabase } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";
import { StoreUnavailableError } from "../../src/store/store-errors.js";
import {
  createIsolatedSchema,
  TEST_DATABASE_URL,
  warnPostgresSkipped,
} from "./support/postgres.js";

warnPostgresSkipped("payment-record-store");

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${++sequence}`;

const NO_DETAILS = {
  orderName: null,
  paidAmount: null,
  cancelledAmount: null,
  methodKind: null,
  virtualAccount: null,
  requestedAt: null,
  paidAt: null,
  failedAt: null,
  cancelledAt: null,
  receiptUrl: null,
};

async function rawExec(db: Database, sql: string): Promise<void> {
  if (db.kind === "sqlite") db.sqlite.exec(sql);
  else await db.pool.query(sql);
}

/** The same contract, run against every adapter. */
function paymentRecordStoreContract(
  open: () => Promise<{ db: Database; cleanup(): Promise<void> }>,
) {
  let db: Database;
  let cleanup: () => Promise<void>;
  let store: PaymentRecordStore;

  beforeAll(async () => {
    ({ db, cleanup } = await open());
    await migrate(db, paymentRecordMigrations);
    // Running the migrations twice must be harmless (a restart, a second replica).
    await migrate(db, paymentRecordMigrations);
    store = createPaymentRecordStore(db);
  });
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });

  it("inserts a record as PREPARED at version 1 and reads it back", async () => {
    const paymentId = unique("pay");
    const created = await store.insertPaymentRecord({
      paymentId,
      orderId: unique("order"),
      customerId: "customer-1",
      totalAmount: 50_000,
      currency: "KRW",
    });
    expect(created).toMatchObject({
      paymentId,
      customerId: "customer-1",
      totalAmount: 50_000,
      currency: "KRW",
      status: "PREPARED",
      mismatchReason: null,
      version: 1,
      syncedAt: null,
    });
    expect(await store.getPaymentRecord(paymentId)).toEqual(created);
    expect(await store.getPaymentRecord(unique("missing"))).toBeNull();
  });

  it("keeps one record per paymentId and per orderId", async () => {
    const orderId = unique("order");
    const first = await store.insertPaymentRecord({
      paymentId: unique("pay"),
      orderId,
      customerId: null,
      totalAmount: 1000,
      currency: "KRW",
    });
    const samePayment = await store.insertPaymentRecord({ ...first, totalAmount: 1 });
    expect(samePayment).toEqual(first);
    const sameOrder = await store.insertPaymentRecord({
      paymentId: unique("pay"),
      orderId,
      customerId: null,
      totalAmount: 1000,
      currency: "KRW",
    });
    expect(sameOrder.paymentId).toBe(first.paymentId);
    expect(await store.findPaymentRecordByOrderId(orderId)).toEqual(first);
    expect(await store.findPaymentRecordByOrderId(unique("order"))).toBeNull();
  });

  it("updates by compare-and-set on the version", async () => {
    const record = await store.insertPaymentRecord({
      paymentId: unique("pay"),
      orderId: unique("order"),
      customerId: "c",
      totalAmount: 700,
      currency: "USD",
    });
    const syncedAt = new Date().toISOString();
    const paid = await store.updatePaymentRecord(record.paymentId, 1, {
      status: "PAID",
      mismatchReason: null,
      details: null,
      syncedAt,
    });
    expect(paid).toMatchObject({ status: "PAID", version: 2, syncedAt });
    // A writer that read version 1 lost the race: nothing changes.
    const stale = await store.updatePaymentRecord(record.paymentId, 1, {
      status: "FAILED",
      mismatchReason: null,
      details: null,
      syncedAt,
    });
    expect(stale).toBeNull();
    expect((await store.getPaymentRecord(record.paymentId))?.status).toBe("PAID");
  });

  it("lets exactly one of many concurrent writers win a version", async () => {
    const record = await store.insertPaymentRecord({
      paymentId: unique("pay"),
      orderId: unique("order"),
      customerId: null,
      totalAmount: 10,
      currency: "KRW",
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.updatePaymentRecord(record.paymentId, 1, {
          status: index % 2 === 0 ? "PAID" : "MISMATCH",
          mismatchReason: index % 2 === 0 ? null : "amount differs",
          details: null,
          syncedAt: new Date().toISOString(),
        }),
      ),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect((await store.getPaymentRecord(record.paymentId))?.version).toBe(2);
  });

  it("marks a status change as unpublished until its event is out, keeping the oldest", async () => {
    const record = await store.insertPaymentRecord({
      paymentId: unique("pay"),
      orderId: unique("order"),
      customerId: null,
      totalAmount: 5,
      currency: "KRW",
    });
    expect(record.unpublishedPreviousStatus).toBeNull();
    const syncedAt = new Date().toISOString();
    const ready = await store.updatePaymentRecord(record.paymentId, 1, {
      status: "READY",
      mismatchReason: null,
      details: null,
      syncedAt,
    });
    expect(ready?.unpublishedPreviousStatus).toBe("PREPARED");
    // A second change before the first was announced keeps the status last announced.
    const paid = await store.updatePaymentRecord(record.paymentId, 2, {
      status: "PAID",
      mismatchReason: null,
      details: null,
      syncedAt,
    });
    expect(paid).toMatchObject({ status: "PAID", unpublishedPreviousStatus: "PREPARED" });
    await store.markPaymentEventPublished(record.paymentId, 2);
    expect((await store.getPaymentRecord(record.paymentId))?.unpublishedPreviousStatus).toBe(
      "PREPARED",
    );
    await store.markPaymentEventPublished(record.paymentId, 3);
    expect((await store.getPaymentRecord(record.paymentId))?.unpublishedPreviousStatus).toBeNull();
    // A change of the reason alone is not a status change.
    const reason = await store.updatePaymentRecord(record.paymentId, 3, {
      status: "PAID",
      mismatchReason: "note",
      details: null,
      syncedAt,
    });
    expect(reason?.unpublishedPreviousStatus).toBeNull();
    const cancelled = await store.updatePaymentRecord(record.paymentId, 4, {
      status: "CANCELLED",
      mismatchReason: null,
      details: null,
      syncedAt,
    });
    expect(cancelled?.unpublishedPreviousStatus).toBe("PAID");
  });

  it("lists records updated since a time, oldest first, up to a limit", async () => {
    const since = new Date(Date.now() - 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const record = await store.insertPaymentRecord({
        paymentId: unique("pay"),
        orderId: unique("order"),
        customerId: null,
        totalAmount: 1,
        currency: "KRW",
      });
      ids.push(record.paymentId);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const listed = await store.listPaymentRecordsUpdatedSince(since, 1000);
    const ours = listed.map((record) => record.paymentId).filter((id) => ids.includes(id));
    expect(ours).toEqual(ids);
    expect(await store.listPaymentRecordsUpdatedSince(since, 2)).toHaveLength(2);
    expect(
      await store.listPaymentRecordsUpdatedSince(new Date(Date.now() + 60_000).toISOString(), 10),
    ).toEqual([]);
  });

  it("stores what PortOne said with a change, and a confirmation without one moves only syncedAt", async () => {
    const record = await store.insertPaymentRecord({
      paymentId: unique("pay"),
      orderId: unique("order"),
      customerId: null,
      totalAmount: 1000,
      currency: "KRW",
    });
    expect(record.details).toBeNull();
    const details = {
      ...NO_DETAILS,
      orderName: "Coffee",
      paidAmount: 1000,
      methodKind: "card" as const,
    };
    const paid = await store.updatePaymentRecord(record.paymentId, 1, {
      status: "PAID",
      mismatchReason: null,
      details,
      syncedAt: "2030-01-01T00:00:00.000Z",
    });
    expect(paid?.details).toEqual(details);
    const later = "2030-01-01T00:00:05.000Z";
    const confirmed = await store.markPaymentSynced(record.paymentId, 2, later);
    expect(confirmed).toMatchObject({ version: 2, syncedAt: later, details, status: "PAID" });
    expect(confirmed?.updatedAt).toBe(paid?.updatedAt);
    // A confirmation of a version that is no longer current is refused.
    expect(await store.markPaymentSynced(record.paymentId, 1, later)).toBeNull();
    expect(await store.getPaymentRecord(record.paymentId)).toEqual(confirmed);
  });

  it("upgrades a database made before details were stored, keeping its records", async () => {
    const old = await open();
    try {
      await migrate(old.db, paymentRecordMigrations.slice(0, 3));
      // Written by hand: the current store already selects the new column.
      const paymentId = unique("pay");
      await rawExec(
        old.db,
        `INSERT INTO payment_records (payment_id, order_id, customer_id, total_amount, currency, status, mismatch_reason, version, created_at, updated_at, synced_at)
         VALUES ('${paymentId}', '${unique("order")}', 'c', 300, 'KRW', 'PAID', NULL, 2,
                 '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')`,
      );
      await migrate(old.db, paymentRecordMigrations);
      const upgraded = await createPaymentRecordStore(old.db).getPaymentRecord(paymentId);
      expect(upgraded).toMatchObject({
        status: "PAID",
        version: 2,
        syncedAt: "2030-01-01T00:00:00.000Z",
        details: null,
      });
    } finally {
      await old.db.close();
      await old.cleanup();
    }
  });

  // Last: it closes the database under the store, as a shutdown racing a request would.
  it("a database that is gone surfaces as StoreUnavailableError, without the driver's text", async () => {
    const lookups = createPaymentRecordStore(db);
    await db.close();
    const failure = await lookups.getPaymentRecord(unique("pay")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ kind: "unavailable" });
    expect((failure as Error).message).not.toMatch(
      /pool|connection|database connection is not open/i,
    );
  });
}

describe("PaymentRecordStore on SQLite", () => {
  paymentRecordStoreContract(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bff-records-"));
    const db = await openDatabase({ dataDir });
    return { db, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  });
});

describe.skipIf(!TEST_DATABASE_URL)("PaymentRecordStore on PostgreSQL", () => {
  paymentRecordStoreContract(async () => {
    const schema = await createIsolatedSchema(TEST_DATABASE_URL as string);
    const db = await openDatabase({ databaseUrl: schema.url, dataDir: tmpdir() });
    return { db, cleanup: () => schema.drop() };
  });
});
