import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { UnstorableValueError } from "../../src/store/store-errors.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type {
  ClaimedDelivery,
  ClaimedEvent,
  WebhookStore,
} from "../../src/webhooks/store/webhook-store.js";
import { inboundEvent as event } from "./support/inbound-event.js";
import {
  openTestDatabase,
  TEST_DATABASE_URL,
  type TestDatabase,
} from "./support/test-databases.js";

const LEASE = 10_000;
const NOW = 1_000_000;
const DELIVERED = { kind: "delivered", now: NOW + 2, statusCode: 204 } as const;

/** The names (or first words) of the statements the pool runs, in order. */
function recordStatements(pool: pg.Pool): string[] {
  const seen: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
    const named = typeof config === "object" && config !== null ? config : { text: config };
    const { name, text } = named as { name?: string; text: string };
    seen.push(name ?? text.trim().split(/\s+/).slice(0, 2).join(" "));
    return query(config, ...rest);
  };
  return seen;
}

/** An event stored and claimed by "w", and a delivery of another event claimed by "w". */
async function claimedWork(
  store: WebhookStore,
): Promise<{ claim: ClaimedEvent; delivery: ClaimedDelivery }> {
  await store.insertEvent(event("evt-delivered"), NOW);
  const [first] = await store.claimEvents({ owner: "w", now: NOW, leaseMs: LEASE, limit: 1 });
  if (!first) throw new Error("unreachable: one event stored");
  await store.completeEvent(first, { body: "{}", subscriberIds: ["sub"], now: NOW });
  const [delivery] = await store.claimDeliveries({
    owner: "w",
    now: NOW,
    leaseMs: LEASE,
    limit: 1,
    subscriberIds: ["sub"],
  });
  await store.insertEvent(event("evt-claimed"), NOW + 1);
  const [claim] = await store.claimEvents({ owner: "w", now: NOW + 1, leaseMs: LEASE, limit: 1 });
  if (!claim || !delivery) throw new Error("unreachable: one event and one delivery due");
  return { claim, delivery };
}

describe.skipIf(!TEST_DATABASE_URL)("one PostgreSQL statement per turn of writes", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function open() {
    database = await openTestDatabase("postgres");
    const { db } = database;
    if (db.kind !== "postgres") throw new Error("unreachable: a PostgreSQL test database");
    return { pool: db.pool, store: await openWebhookStore(db) };
  }

  it("writes a turn's inserts, completions and attempt records in one statement", async () => {
    const { pool, store } = await open();
    const { claim, delivery } = await claimedWork(store);
    const statements = recordStatements(pool);
    const [inserted, leased, finished] = await Promise.all([
      store.insertLeasedEvent(event("evt-new"), NOW + 2, { owner: "w", leaseMs: LEASE }),
      store.completeEventLeasingDeliveries(
        claim,
        { body: '{"id":"evt-claimed"}', subscriberIds: ["sub", "other"], now: NOW + 2 },
        LEASE,
      ),
      store.finishDelivery(delivery, DELIVERED),
    ]);
    expect(statements).toEqual(["webhooks-turn-insert-complete-finish"]);

    expect(inserted).toMatchObject({ id: "evt-new", leaseOwner: "w", attempt: 1 });
    expect((await store.getEvent("evt-new"))?.state).toBe("pending");
    expect(leased?.map((one) => one.subscriberId).sort()).toEqual(["other", "sub"]);
    expect(leased?.every((one) => one.leaseOwner === "w" && one.attempt === 1)).toBe(true);
    expect(await store.getEvent("evt-claimed")).toMatchObject({
      state: "dispatched",
      body: '{"id":"evt-claimed"}',
    });
    expect(finished).toBe(true);
    const [record] = await store.listDeliveries({ eventId: "evt-delivered" });
    expect(record).toMatchObject({ state: "delivered", lastStatusCode: 204 });
  });

  it("answers duplicates and lost claims in a mixed turn", async () => {
    const { pool, store } = await open();
    const { claim, delivery } = await claimedWork(store);
    const statements = recordStatements(pool);
    const taken = { ...claim, leaseOwner: "other" };
    const results = await Promise.all([
      store.insertEvent(event("evt-twice"), NOW + 2),
      store.insertEvent(event("evt-twice"), NOW + 2),
      // Stored already, and completed by the same statement: still a duplicate.
      store.insertEvent(event("evt-claimed"), NOW + 2),
      store.completeEvent(claim, { body: "{}", subscriberIds: [], now: NOW + 2 }),
      store.completeEvent(claim, { body: "second", subscriberIds: [], now: NOW + 2 }),
      store.completeEvent(taken, { body: "stale", subscriberIds: [], now: NOW + 2 }),
      store.finishDelivery(delivery, DELIVERED),
      store.finishDelivery(delivery, DELIVERED),
      store.finishDelivery({ ...delivery, attempt: delivery.attempt + 1 }, DELIVERED),
    ]);
    expect(statements).toEqual(["webhooks-turn-insert-complete-finish"]);
    expect(results).toEqual([true, false, false, true, false, false, true, false, false]);
    expect(await store.getEvent("evt-claimed")).toMatchObject({ state: "dispatched", body: "{}" });
    expect((await store.getEvent("evt-twice"))?.state).toBe("pending");
  });

  it("rolls the whole turn back when one part fails, then gives each write its own answer", async () => {
    const { pool, store } = await open();
    const { claim, delivery } = await claimedWork(store);
    // The attempt record of this one delivery is refused as bad data (SQLSTATE class 22).
    await pool.query(`
      CREATE FUNCTION refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '22023';
      END $$;
      CREATE TRIGGER refuse_delivery BEFORE UPDATE ON webhook_deliveries
        FOR EACH ROW WHEN (OLD.id = ${delivery.id} AND NEW.state = 'delivered')
        EXECUTE FUNCTION refuse_delivery();
    `);
    const statements = recordStatements(pool);
    const [inserted, completed, finished] = await Promise.allSettled([
      store.insertEvent(event("evt-new"), NOW + 2),
      store.completeEventLeasingDeliveries(
        claim,
        { body: "{}", subscriberIds: ["sub"], now: NOW + 2 },
        LEASE,
      ),
      store.finishDelivery(delivery, DELIVERED),
    ]);
    // Had the failed statement kept its insert or completion, rewriting them alone would
    // answer "duplicate" and "claim lost".
    expect(statements).toEqual([
      "webhooks-turn-insert-complete-finish",
      "webhooks-turn-insert",
      "webhooks-turn-complete",
      "webhooks-turn-finish",
    ]);
    expect(inserted).toEqual({ status: "fulfilled", value: true });
    expect(completed.status === "fulfilled" && completed.value?.length).toBe(1);
    expect(finished.status === "rejected" && finished.reason).toBeInstanceOf(UnstorableValueError);
    const [record] = await store.listDeliveries({ eventId: "evt-delivered" });
    expect(record).toMatchObject({ state: "pending", deliveredAt: null });
    expect(await store.listDeliveries({ eventId: "evt-claimed" })).toHaveLength(1);
  });
  it("plans its completion statement once per connection, not at every execution", async () => {
    const { pool, store } = await open();
    const statements = recordStatements(pool);
    // One at a time, so that each completion is a turn of its own on the one pooled connection.
    for (let n = 0; n < 8; n++) {
      const claimed = await store.insertLeasedEvent(event(`evt-${n}`), NOW + n, {
        owner: "w",
        leaseMs: LEASE,
      });
      if (!claimed) throw new Error("unreachable: a new event");
      const leased = await store.completeEventLeasingDeliveries(
        claimed,
        { body: "{}", subscriberIds: ["sub"], now: NOW + n },
        LEASE,
      );
      expect(leased).toHaveLength(1);
    }
    expect(statements.filter((name) => name === "webhooks-turn-complete")).toHaveLength(8);
    // PostgreSQL tries a custom plan for the first five executions, then keeps the generic
    // plan unless the custom ones were cheaper: they must not look cheaper for a short turn.
    const { rows } = await pool.query<{ generic_plans: string; custom_plans: string }>(
      "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1",
      ["webhooks-turn-complete"],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.custom_plans)).toBe(5);
    expect(Number(rows[0]?.generic_plans)).toBe(3);
  });
});
