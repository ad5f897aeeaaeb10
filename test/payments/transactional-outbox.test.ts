import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  PaymentEventOutbox,
  PaymentRecordStore,
  PaymentStatusChanged,
  PortOnePaymentApi,
} from "../../src/payments/ports.js";
import { type SyncPaymentDeps, syncPayment } from "../../src/payments/sync-payment.js";
import { type Database, migrate, openDatabase } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";
import {
  createOutboxEventSink,
  statusChangeEventId,
} from "../../src/webhooks/outbox-event-sink.js";
import { createWebhookStore } from "../../src/webhooks/store/index.js";
import { webhookMigrations } from "../../src/webhooks/store/migrations.js";
import {
  createIsolatedSchema,
  TEST_DATABASE_URL,
  warnPostgresSkipped,
} from "../service/support/postgres.js";
import { insertPreparedRecord, paidPayment } from "../support/paid-port.js";

warnPostgresSkipped("transactional-outbox");

const AMOUNT = 12_000;
let sequence = 0;
const uniqueId = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++sequence}`;

/** PortOne as a port: every payment it is told about is PAID with the order's amount. */
function paidPortOne(): PortOnePaymentApi & { paid: Set<string> } {
  const paid = new Set<string>();
  return {
    paid,
    async getPayment({ paymentId }) {
      if (!paid.has(paymentId)) throw new Error(`unexpected getPayment(${paymentId})`);
      return { ...paidPayment(paymentId, AMOUNT), orderName: "Outbox test" };
    },
    preRegisterPayment: async () => ({}),
    confirmPayment: async () => ({}),
    getPayments: async () => ({ items: [], page: { number: 0, size: 0, totalCount: 0 } }),
  };
}

/** A payment record as `prepare` leaves it, which `portone` now reports paid. */
async function preparedAndPaid(
  records: PaymentRecordStore,
  portone: ReturnType<typeof paidPortOne>,
  prefix: string,
): Promise<string> {
  const paymentId = uniqueId(prefix);
  await insertPreparedRecord(records, paymentId, AMOUNT);
  portone.paid.add(paymentId);
  return paymentId;
}

async function rawQuery(db: Database, sql: string, values: unknown[] = []): Promise<unknown[]> {
  if (db.kind === "sqlite") {
    const statement = db.sqlite.prepare(sql);
    if (statement.reader) return statement.all(...values);
    statement.run(...values);
    return [];
  }
  return (await db.pool.query(sql, values)).rows;
}

/** The inbox rows announcing changes of `paymentId`. */
async function eventsOf(db: Database, paymentId: string) {
  const rows = (await rawQuery(
    db,
    db.kind === "sqlite"
      ? "SELECT id, data, state FROM webhook_events WHERE source = 'internal' AND json_extract(data, '$.paymentId') = ?"
      : "SELECT id, data, state FROM webhook_events WHERE source = 'internal' AND data::json->>'paymentId' = $1",
    [paymentId],
  )) as { id: string; data: string }[];
  return rows.map((row) => ({ id: row.id, ...(JSON.parse(row.data) as object) }));
}

/** A trigger that makes the inbox refuse one payment's event: a failure inside the transaction. */
async function refuseEventsOf(db: Database, paymentId: string): Promise<() => Promise<void>> {
  const name = `refuse_${paymentId.replace(/[^a-z0-9]/gi, "_")}`;
  const pattern = `%"paymentId":"${paymentId}"%`;
  if (db.kind === "sqlite") {
    db.sqlite.exec(`CREATE TRIGGER ${name} BEFORE INSERT ON webhook_events
      WHEN NEW.data LIKE '${pattern}' BEGIN SELECT RAISE(ABORT, 'injected inbox failure'); END`);
    return async () => {
      db.sqlite.exec(`DROP TRIGGER ${name}`);
    };
  }
  await db.pool.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected inbox failure'; END $$`);
  await db.pool.query(`CREATE TRIGGER ${name} BEFORE INSERT ON webhook_events FOR EACH ROW
    WHEN (NEW.data LIKE '${pattern}') EXECUTE FUNCTION ${name}()`);
  return async () => {
    await db.pool.query(`DROP TRIGGER ${name} ON webhook_events`);
    await db.pool.query(`DROP FUNCTION ${name}()`);
  };
}

function outboxContract(open: () => Promise<{ db: Database; cleanup(): Promise<void> }>) {
  let db: Database;
  let cleanup: () => Promise<void>;
  let records: PaymentRecordStore;
  let outbox: PaymentEventOutbox;
  let wakeUps = 0;
  const portone = paidPortOne();
  let base: SyncPaymentDeps;

  beforeAll(async () => {
    ({ db, cleanup } = await open());
    await migrate(db, [...paymentRecordMigrations, ...webhookMigrations]);
    records = createPaymentRecordStore(db);
    outbox = createOutboxEventSink(createWebhookStore(db), { onEventStored: () => wakeUps++ });
    base = { portone, records, outbox, channelType: "TEST" };
  });
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });

  /** A prepared payment that PortOne now reports paid. */
  const paidPayment = () => preparedAndPaid(records, portone, "outbox");

  it("writes the change and its event together, with no unpublished mark left to clear", async () => {
    const paymentId = await paidPayment();
    await new Promise(setImmediate); // wake-ups the tests before caused
    const wakeUpsBefore = wakeUps;
    const result = await syncPayment(paymentId, base);
    expect(result).toMatchObject({ outcome: "changed" });
    expect(result.record).toMatchObject({ status: "PAID", version: 2 });
    expect(result.record.unpublishedPreviousStatus).toBeNull();
    const events = await eventsOf(db, paymentId);
    expect(events).toEqual([
      expect.objectContaining({ version: 2, previousStatus: "PREPARED", status: "PAID" }),
    ]);
    const expected: PaymentStatusChanged = {
      type: "PaymentStatusChanged",
      paymentId,
      version: 2,
      orderId: `order-${paymentId}`,
      customerId: null,
      previousStatus: "PREPARED",
      status: "PAID",
      mismatchReason: null,
      occurredAt: result.record.syncedAt ?? "",
    };
    expect(events[0]?.id).toBe(statusChangeEventId(expected));
    // The dispatcher is told right after the turn that committed it.
    await new Promise(setImmediate);
    expect(wakeUps).toBe(wakeUpsBefore + 1);
  });

  it("the compare-and-set covers the version and the unpublished mark as read", async () => {
    const paymentId = await paidPayment();
    const event: PaymentStatusChanged = {
      type: "PaymentStatusChanged",
      paymentId,
      version: 2,
      orderId: `order-${paymentId}`,
      customerId: null,
      previousStatus: "PREPARED",
      status: "FAILED",
      mismatchReason: null,
      occurredAt: new Date().toISOString(),
    };
    const change = {
      expectedVersion: 1,
      expectedUnpublished: null,
      update: { status: "FAILED", mismatchReason: null, details: null, syncedAt: event.occurredAt },
      event,
      outbox,
      markUnpublished: false,
    } as const;
    // A writer that read a mark the record no longer has (or never had) lost a race.
    expect(
      await records.recordStatusChange(paymentId, { ...change, expectedUnpublished: "PAID" }),
    ).toBeNull();
    expect(
      await records.recordStatusChange(paymentId, { ...change, expectedVersion: 2 }),
    ).toBeNull();
    expect(await eventsOf(db, paymentId)).toEqual([]);
    expect(await records.recordStatusChange(paymentId, change)).toMatchObject({
      status: "FAILED",
      version: 2,
      unpublishedPreviousStatus: null,
    });
    expect(await records.recordStatusChange(paymentId, change)).toBeNull();
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
  });

  it("a failure inside the transaction leaves neither the change nor its event", async () => {
    const paymentId = await paidPayment();
    const allow = await refuseEventsOf(db, paymentId);
    await expect(syncPayment(paymentId, base)).rejects.toThrow();
    expect(await records.getPaymentRecord(paymentId)).toMatchObject({
      status: "PREPARED",
      version: 1,
      unpublishedPreviousStatus: null,
    });
    expect(await eventsOf(db, paymentId)).toEqual([]);

    await allow();
    const retried = await syncPayment(paymentId, base);
    expect(retried.record).toMatchObject({ status: "PAID", version: 2 });
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
  });

  it("concurrent syncs of one payment store exactly one event for its change", async () => {
    const paymentId = await paidPayment();
    await new Promise(setImmediate); // wake-ups the tests before caused
    const wakeUpsBefore = wakeUps;
    // The browser's complete and PortOne's webhook, several times over, at once.
    const results = await Promise.all(
      Array.from({ length: 12 }, () => syncPayment(paymentId, base)),
    );
    expect(results.filter((result) => result.outcome === "changed")).toHaveLength(1);
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
    await new Promise(setImmediate);
    expect(wakeUps).toBe(wakeUpsBefore + 1);
    // A later sync that agrees with the record stores nothing more.
    await syncPayment(paymentId, { ...base, lostEventGraceMs: 0 });
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
  });

  it("a change an older version left marked unpublished is still announced, once", async () => {
    const paymentId = await paidPayment();
    // What an older version left after a crash between its write and its publish: the change
    // recorded (with its details), the mark set, no event in the inbox.
    const first = await syncPayment(paymentId, { ...base, outbox: undefined });
    expect(await eventsOf(db, paymentId)).toEqual([]);
    const longAgo = new Date(Date.now() - 3_600_000);
    await rawQuery(
      db,
      db.kind === "sqlite"
        ? "UPDATE payment_records SET unpublished_previous_status = 'PREPARED', updated_at = ? WHERE payment_id = ?"
        : "UPDATE payment_records SET unpublished_previous_status = 'PREPARED', updated_at = $1 WHERE payment_id = $2",
      [db.kind === "sqlite" ? longAgo.toISOString() : longAgo, paymentId],
    );

    await syncPayment(paymentId, base);
    const events = await eventsOf(db, paymentId);
    expect(events).toEqual([
      expect.objectContaining({
        version: first.record.version,
        previousStatus: "PREPARED",
        status: "PAID",
      }),
    ]);
    expect((await records.getPaymentRecord(paymentId))?.unpublishedPreviousStatus).toBeNull();
    await syncPayment(paymentId, { ...base, lostEventGraceMs: 0 });
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
  });

  it("an after-commit sink keeps the mark until it has the event; without one there is none", async () => {
    const unmarked = await paidPayment();
    const plain = await syncPayment(unmarked, { ...base, outbox: undefined });
    expect(plain.record.unpublishedPreviousStatus).toBeNull();

    const paymentId = await paidPayment();
    const failing = {
      publish: async () => {
        throw new Error("sink down");
      },
    };
    await expect(syncPayment(paymentId, { ...base, events: failing })).rejects.toThrow("sink down");
    // The outbox got the event with the change; the sink's copy is still owed.
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
    expect(await records.getPaymentRecord(paymentId)).toMatchObject({
      status: "PAID",
      unpublishedPreviousStatus: "PREPARED",
    });
    const received: PaymentStatusChanged[] = [];
    const sink = { publish: async (event: PaymentStatusChanged) => void received.push(event) };
    await syncPayment(paymentId, { ...base, events: sink, lostEventGraceMs: 0 });
    expect(received).toEqual([expect.objectContaining({ previousStatus: "PREPARED" })]);
    expect(await eventsOf(db, paymentId)).toHaveLength(1);
    expect((await records.getPaymentRecord(paymentId))?.unpublishedPreviousStatus).toBeNull();
  });
}

describe("transactional outbox on SQLite", () => {
  outboxContract(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bff-outbox-"));
    return {
      db: await openDatabase({ dataDir }),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  });
});

describe.runIf(TEST_DATABASE_URL)("transactional outbox on PostgreSQL", () => {
  outboxContract(async () => {
    const schema = await createIsolatedSchema(TEST_DATABASE_URL as string);
    return {
      db: await openDatabase({ databaseUrl: schema.url, dataDir: tmpdir() }),
      cleanup: () => schema.drop(),
    };
  });

  it("two replicas syncing one payment at once store one event for its change", async () => {
    const schema = await createIsolatedSchema(TEST_DATABASE_URL as string);
    const replicas = await Promise.all(
      [0, 1].map(() => openDatabase({ databaseUrl: schema.url, dataDir: tmpdir() })),
    );
    try {
      const [first] = replicas as [Database, Database];
      await migrate(first, [...paymentRecordMigrations, ...webhookMigrations]);
      const portone = paidPortOne();
      const paymentId = await preparedAndPaid(createPaymentRecordStore(first), portone, "replicas");
      const syncs = replicas.flatMap((db) => {
        const deps: SyncPaymentDeps = {
          portone,
          records: createPaymentRecordStore(db),
          outbox: createOutboxEventSink(createWebhookStore(db)),
          channelType: "TEST",
        };
        return Array.from({ length: 6 }, () => syncPayment(paymentId, deps));
      });
      const results = await Promise.all(syncs);
      expect(results.filter((result) => result.outcome === "changed")).toHaveLength(1);
      expect(await eventsOf(first, paymentId)).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
      await schema.drop();
    }
  });
});
