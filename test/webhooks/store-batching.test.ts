import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/store/database.js";
import { listenForNotifications } from "../../src/store/postgres-listener.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import { internalEventInsert } from "../../src/webhooks/store/internal-event-insert.js";
import { WEBHOOK_WORK_CHANNEL, webhookMigrations } from "../../src/webhooks/store/migrations.js";
import type { DeliveryOutcome } from "../../src/webhooks/store/webhook-store.js";
import { waitFor } from "../support/wait-for.js";
import { inboundEvent as event } from "./support/inbound-event.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const LEASE = 10_000;
const NOW = 1_000_000;

describe.each(DATABASE_KINDS)(
  "batched completions and the claim migration on $kind",
  ({ kind, skip }) => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.close();
      database = undefined;
    });

    it.skipIf(skip)(
      "completes many claims in one go, each with its own fan-out, and fences the stale ones",
      async () => {
        database = await openTestDatabase(kind);
        const store = await openWebhookStore(database.db);
        const ids = Array.from({ length: 30 }, (_, index) => `evt-${index}`);
        await Promise.all(ids.map((id, index) => store.insertEvent(event(id), NOW + index)));
        const stale = await store.claimEvents({
          owner: "old",
          now: NOW + 100,
          leaseMs: LEASE,
          limit: 5,
        });
        expect(stale).toHaveLength(5);
        // The first five leases run out and are taken over: completing them as "old" must fail.
        const current = await store.claimEvents({
          owner: "new",
          now: NOW + 100 + LEASE,
          leaseMs: LEASE,
          limit: 100,
        });
        expect(current.map((claim) => claim.id)).toEqual(ids);

        const twice = current[1];
        if (!twice) throw new Error("unreachable: 30 claims");
        const results = await Promise.all([
          ...stale.map((claim) =>
            store.completeEvent(claim, { body: "stale", subscriberIds: ["x"], now: NOW }),
          ),
          ...current.map((claim, index) =>
            store.completeEvent(claim, {
              body: `{"id":"${claim.id}"}`,
              subscriberIds: index % 3 === 0 ? [] : [`sub-${index % 3}`, "all"],
              now: NOW + LEASE,
            }),
          ),
          // A second completion of a claim already being completed in the same batch loses.
          store.completeEvent(twice, {
            body: "twice",
            subscriberIds: [],
            now: 0,
          }),
        ]);
        expect(results).toEqual([...stale.map(() => false), ...current.map(() => true), false]);
        for (const [index, id] of ids.entries()) {
          const stored = await store.getEvent(id);
          expect(stored).toMatchObject({ state: "dispatched", body: `{"id":"${id}"}` });
          const deliveries = await store.listDeliveries({ eventId: id });
          expect(deliveries.map((d) => d.subscriberId).sort()).toEqual(
            index % 3 === 0 ? [] : ["all", `sub-${index % 3}`].sort(),
          );
        }
      },
    );

    it.skipIf(skip)(
      "records many delivery attempts in one go, each with its own outcome",
      async () => {
        database = await openTestDatabase(kind);
        const store = await openWebhookStore(database.db);
        const ids = Array.from({ length: 12 }, (_, index) => `evt-${index}`);
        for (const [index, id] of ids.entries()) await store.insertEvent(event(id), NOW + index);
        for (const claim of await store.claimEvents({
          owner: "w",
          now: NOW + 100,
          leaseMs: LEASE,
          limit: 100,
        })) {
          await store.completeEvent(claim, { body: "{}", subscriberIds: ["sub"], now: NOW });
        }
        const claims = await store.claimDeliveries({
          owner: "w",
          now: NOW,
          leaseMs: LEASE,
          limit: 100,
          subscriberIds: ["sub"],
        });
        expect(claims).toHaveLength(12);
        const outcome = (index: number): DeliveryOutcome =>
          index % 3 === 0
            ? { kind: "delivered", now: NOW + 1, statusCode: 204 }
            : index % 3 === 1
              ? {
                  kind: "retry",
                  now: NOW + 1,
                  nextAttemptAt: NOW + 5_000,
                  error: "HTTP 503",
                  statusCode: 503,
                }
              : { kind: "dead", now: NOW + 1, error: "connection refused", statusCode: null };
        const first = claims[0];
        if (!first) throw new Error("unreachable: 12 claims");
        const stale = { ...first, attempt: first.attempt + 1 };
        const results = await Promise.all([
          ...claims.map((claim, index) => store.finishDelivery(claim, outcome(index))),
          store.finishDelivery(stale, outcome(1)),
        ]);
        expect(results).toEqual([...claims.map(() => true), false]);
        const records = await store.listDeliveries({ subscriberId: "sub" });
        for (const [index, claim] of claims.entries()) {
          const record = records.find((candidate) => candidate.id === claim.id);
          const expected = outcome(index);
          expect(record?.state).toBe(expected.kind === "retry" ? "pending" : expected.kind);
          expect(record?.lastStatusCode ?? null).toBe(expected.statusCode);
        }
        // Only the retried ones come back, and only once they are due.
        expect(
          await store.claimDeliveries({
            owner: "w",
            now: NOW + 4_999,
            leaseMs: LEASE,
            limit: 100,
            subscriberIds: ["sub"],
          }),
        ).toEqual([]);
        const retried = await store.claimDeliveries({
          owner: "w",
          now: NOW + 5_000,
          leaseMs: LEASE,
          limit: 100,
          subscriberIds: ["sub"],
        });
        expect(retried.map((d) => d.id).sort()).toEqual(
          claims
            .filter((_, index) => index % 3 === 1)
            .map((d) => d.id)
            .sort(),
        );
      },
    );

    it.skipIf(skip)(
      "completes events with their deliveries leased to the claimant, fenced like any claim",
      async () => {
        database = await openTestDatabase(kind);
        const store = await openWebhookStore(database.db);
        for (const id of ["evt-a", "evt-b"]) await store.insertEvent(event(id), NOW);
        const [a, b] = await store.claimEvents({ owner: "w", now: NOW, leaseMs: LEASE, limit: 2 });
        if (!a || !b) throw new Error("unreachable: two claims");
        const [leased, lost] = await Promise.all([
          store.completeEventLeasingDeliveries(
            a,
            { body: '{"id":"evt-a"}', subscriberIds: ["s1", "s2"], now: NOW },
            LEASE,
          ),
          store.completeEventLeasingDeliveries(
            { ...b, attempt: b.attempt + 1 },
            { body: "stale", subscriberIds: ["s1"], now: NOW },
            LEASE,
          ),
        ]);
        expect(lost).toBeNull();
        expect(leased?.map((d) => [d.eventId, d.subscriberId, d.attempt, d.body]).sort()).toEqual([
          ["evt-a", "s1", 1, '{"id":"evt-a"}'],
          ["evt-a", "s2", 1, '{"id":"evt-a"}'],
        ]);
        // Held by "w" until the lease runs out: nobody else gets them before.
        const claim = { owner: "other", leaseMs: LEASE, limit: 10, subscriberIds: ["s1", "s2"] };
        expect(await store.claimDeliveries({ ...claim, now: NOW + LEASE - 1 })).toEqual([]);
        const [first, second] = leased ?? [];
        if (!first || !second) throw new Error("unreachable: two deliveries");
        expect(
          await store.finishDelivery(first, { kind: "delivered", now: NOW + 1, statusCode: 204 }),
        ).toBe(true);
        // The second one's holder is gone: it is taken over as attempt 2, and the late result fenced.
        const takenOver = await store.claimDeliveries({ ...claim, now: NOW + LEASE });
        expect(takenOver.map((d) => [d.id, d.attempt])).toEqual([[second.id, 2]]);
        expect(
          await store.finishDelivery(second, {
            kind: "delivered",
            now: NOW + LEASE,
            statusCode: 204,
          }),
        ).toBe(false);
        expect((await store.getEvent("evt-b"))?.state).toBe("pending");
      },
    );

    it.skipIf(skip)(
      "inserts events leased to their storer as attempt 1, in one batch with unleased ones, and lets a claim take over an expired one",
      async () => {
        database = await openTestDatabase(kind);
        const store = await openWebhookStore(database.db);
        const lease = { owner: "ingest", leaseMs: LEASE };
        await store.insertEvent(event("evt-dup"), NOW);
        const [leased, plain, duplicate, sameTwice, secondCopy] = await Promise.all([
          store.insertLeasedEvent(event("evt-leased"), NOW, lease),
          store.insertEvent(event("evt-plain"), NOW),
          store.insertLeasedEvent(event("evt-dup"), NOW, lease),
          store.insertLeasedEvent(event("evt-twice"), NOW, lease),
          store.insertLeasedEvent(event("evt-twice"), NOW, { owner: "other", leaseMs: LEASE }),
        ]);
        expect(leased).toEqual({
          ...event("evt-leased"),
          receivedAt: NOW,
          state: "pending",
          attempts: 1,
          lastError: null,
          body: null,
          leaseOwner: "ingest",
          attempt: 1,
        });
        expect(plain).toBe(true);
        // A duplicate gets no lease: the event is someone else's (or already dispatched).
        expect(duplicate).toBeNull();
        expect(sameTwice?.leaseOwner).toBe("ingest");
        expect(secondCopy).toBeNull();
        expect(await store.getEvent("evt-leased")).toMatchObject({ attempts: 1, state: "pending" });

        // Leased events are nobody else's until the lease runs out; the others are claimable.
        const claim = { owner: "other", leaseMs: LEASE, limit: 10 };
        const early = await store.claimEvents({ ...claim, now: NOW + LEASE - 1 });
        expect(early.map((c) => c.id).sort()).toEqual(["evt-dup", "evt-plain"]);
        // The storer died: its lease runs out and a claim takes the event over as attempt 2.
        const late = await store.claimEvents({ ...claim, now: NOW + LEASE });
        expect(late.map((c) => [c.id, c.attempt]).sort()).toEqual([
          ["evt-leased", 2],
          ["evt-twice", 2],
        ]);
        if (!leased) throw new Error("unreachable: checked above");
        const fanOut = { body: "{}", subscriberIds: ["s1"], now: NOW + LEASE };
        expect(await store.completeEvent(leased, fanOut)).toBe(false);
        const takenOver = late.find((c) => c.id === "evt-leased");
        if (!takenOver) throw new Error("unreachable: checked above");
        expect(await store.completeEvent(takenOver, fanOut)).toBe(true);
      },
    );

    it.skipIf(skip)(
      "upgrades a database at migration 003: events inserted leased to their storer notify nobody",
      async () => {
        database = await openTestDatabase(kind);
        await migrate(database.db, webhookMigrations.slice(0, 3));
        const notified = await listenTo(database);
        try {
          const lease = { owner: "ingest", leaseMs: LEASE };
          // Opening the store applies 004.
          const store = await openWebhookStore(database.db);
          expect(await store.insertEvent(event("evt-unleased"), NOW)).toBe(true);
          expect(await store.insertLeasedEvent(event("evt-leased"), NOW, lease)).not.toBeNull();
          const [leasedOnly, mixed] = [
            await store.insertLeasedEvent(event("evt-leased-2"), NOW, lease),
            await Promise.all([
              store.insertLeasedEvent(event("evt-leased-3"), NOW, lease),
              store.insertEvent(event("evt-unleased-2"), NOW),
            ]),
          ];
          expect(leasedOnly).not.toBeNull();
          expect(mixed[1]).toBe(true);
          expect(await notified()).toEqual(
            kind === "sqlite" ? [] : ["webhook_events", "webhook_events"],
          );
        } finally {
          await notified.close();
        }
      },
    );

    it.skipIf(skip)(
      "upgrades a database at migration 004: events written already dispatched notify nobody",
      async () => {
        database = await openTestDatabase(kind);
        await migrate(database.db, webhookMigrations.slice(0, 4));
        const notified = await listenTo(database);
        try {
          // Opening the store applies 005.
          const store = await openWebhookStore(database.db);
          await writeInternalEvent(database, "evt-dispatched", true);
          await writeInternalEvent(database, "evt-pending", false);
          expect(await store.getEvent("evt-dispatched")).toMatchObject({
            state: "dispatched",
            attempts: 1,
          });
          expect(await store.getEvent("evt-pending")).toMatchObject({ state: "pending" });
          // Only the pending one is anyone's work (and a claim finds only it).
          expect(await notified()).toEqual(kind === "sqlite" ? [] : ["webhook_events"]);
          const claim = { owner: "w", now: NOW, leaseMs: LEASE, limit: 8 };
          expect((await store.claimEvents(claim)).map((c) => c.id)).toEqual(["evt-pending"]);
        } finally {
          await notified.close();
        }
      },
    );

    it.skipIf(skip)(
      "upgrades a database at migration 002: notifications only for new events and unleased deliveries",
      async () => {
        database = await openTestDatabase(kind);
        await migrate(database.db, webhookMigrations.slice(0, 2));
        await execute(
          database,
          `INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at, next_attempt_at)
           VALUES ('evt-old', 'portone', '2024-04-25', 'Transaction.Paid', '2024-04-25T10:00:00Z', '{}', ${NOW}, ${NOW})`,
        );
        const store = await openWebhookStore(database.db);
        const notified = await listenTo(database);
        try {
          await store.insertEvent(event("evt-old"), NOW + 1); // a duplicate: nothing new
          await store.insertEvent(event("evt-new"), NOW + 1);
          const claims = await store.claimEvents({
            owner: "w",
            now: NOW + 1,
            leaseMs: LEASE,
            limit: 2,
          });
          expect(claims.map((claim) => claim.id)).toEqual(["evt-old", "evt-new"]);
          const [old, fresh] = claims;
          if (!old || !fresh) throw new Error("unreachable: two claims");
          const fanOut = { body: "{}", subscriberIds: ["s1"], now: NOW + 1 };
          expect(await store.completeEventLeasingDeliveries(old, fanOut, LEASE)).toHaveLength(1);
          expect(await store.completeEvent(fresh, fanOut)).toBe(true);
          expect(await notified()).toEqual(
            kind === "sqlite" ? [] : ["webhook_events", "webhook_deliveries"],
          );
        } finally {
          await notified.close();
        }
      },
    );

    it.skipIf(skip)(
      "migrates a database made by the first migration, keeping its backlog claimable by index",
      async () => {
        database = await openTestDatabase(kind);
        await migrate(database.db, webhookMigrations.slice(0, 1));
        // Rows as the previous version wrote them: a pending event, and a dispatched one whose
        // delivery is still pending.
        await execute(
          database,
          `INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at, next_attempt_at, state, body)
         VALUES ('evt-old', 'portone', '2024-04-25', 'Transaction.Paid', '2024-04-25T10:00:00Z', '{}', ${NOW}, ${NOW}, 'pending', NULL),
                ('evt-sent', 'portone', '2024-04-25', 'Transaction.Paid', '2024-04-25T10:00:00Z', '{}', ${NOW}, ${NOW}, 'dispatched', '{"id":"evt-sent"}')`,
        );
        await execute(
          database,
          `INSERT INTO webhook_deliveries (event_id, subscriber_id, next_attempt_at, created_at, updated_at)
         VALUES ('evt-sent', 'sub', ${NOW}, ${NOW}, ${NOW})`,
        );

        const store = await openWebhookStore(database.db);
        await store.insertEvent(event("evt-new"), NOW + 1);
        const claimed = await store.claimEvents({
          owner: "w",
          now: NOW + 1,
          leaseMs: LEASE,
          limit: 8,
        });
        expect(claimed.map((claim) => claim.id)).toEqual(["evt-old", "evt-new"]);
        const deliveries = await store.claimDeliveries({
          owner: "w",
          now: NOW,
          leaseMs: LEASE,
          limit: 8,
          subscriberIds: ["sub"],
        });
        expect(deliveries.map((d) => [d.eventId, d.body])).toEqual([
          ["evt-sent", '{"id":"evt-sent"}'],
        ]);
        expect(await indexesOf(database)).toEqual(
          expect.arrayContaining(["webhook_events_claim", "webhook_deliveries_claim"]),
        );
        expect(await indexesOf(database)).not.toContain("webhook_events_due");
      },
    );
  },
);

/** An internal event as the payment records store writes it, in a statement of its own. */
async function writeInternalEvent(database: TestDatabase, id: string, dispatched: boolean) {
  const write = dispatched
    ? ({ event: event(id), receivedAt: NOW, lease: null, dispatched: true } as const)
    : ({ event: event(id), receivedAt: NOW, lease: null, dispatched: false } as const);
  const { db } = database;
  if (db.kind === "sqlite") {
    const { sql, values } = internalEventInsert(write, { dialect: "sqlite" });
    db.sqlite.prepare(sql).run(...values);
    return;
  }
  const { sql, values } = internalEventInsert(write, {
    dialect: "postgres",
    firstParameter: 1,
    perRowOf: "one",
  });
  await db.pool.query(`WITH one AS (SELECT 1) ${sql}`, [...values]);
}

async function execute(database: TestDatabase, sql: string): Promise<void> {
  const { db } = database;
  if (db.kind === "sqlite") db.sqlite.exec(sql);
  else await db.pool.query(sql);
}

/**
 * The tables PostgreSQL announced new work in for this schema since the call, in order (SQLite
 * has no notifications), read once every earlier commit's notification has surely arrived.
 */
async function listenTo(database: TestDatabase) {
  const { db } = database;
  const tables: string[] = [];
  if (db.kind === "sqlite") return Object.assign(async () => tables, { close: async () => {} });
  const { rows } = await db.pool.query<{ schema: string }>("SELECT current_schema() AS schema");
  const prefix = `${rows[0]?.schema}.`;
  let listening = false;
  let ended = false;
  const listener = listenForNotifications({
    clientConfig: db.clientConfig,
    channel: WEBHOOK_WORK_CHANNEL,
    onNotification(payload) {
      if (payload === `${prefix}end`) ended = true;
      else if (payload.startsWith(prefix)) tables.push(payload.slice(prefix.length));
    },
    onListening: () => {
      listening = true;
    },
    logger: { info() {}, warn() {} },
  });
  await waitFor(() => listening, { description: "LISTEN" });
  return Object.assign(
    async () => {
      // One more notifying commit, delivered after every earlier one.
      await db.pool.query("SELECT pg_notify($1, $2)", [WEBHOOK_WORK_CHANNEL, `${prefix}end`]);
      await waitFor(() => ended, { description: "the end marker" });
      return tables;
    },
    { close: () => listener.close() },
  );
}

async function indexesOf(database: TestDatabase): Promise<string[]> {
  const { db } = database;
  if (db.kind === "sqlite") {
    return db.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index'")
      .all()
      .map((row) => (row as { name: string }).name);
  }
  const { rows } = await db.pool.query<{ indexname: string }>(
    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
  );
  return rows.map((row) => row.indexname);
}
