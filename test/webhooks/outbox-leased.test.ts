import { afterEach, describe, expect, it } from "vitest";
import { syncPayment } from "../../src/payments/sync-payment.js";
import { migrate } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";
import { createWebhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import { insertPreparedRecord, paidPortOne } from "../support/paid-port.js";
import { waitFor } from "../support/wait-for.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const silent = { info() {}, warn() {}, error() {} };
const AMOUNT = 15_000;

/**
 * The store, counting event claims, and holding every event completion until `release()` (so
 * that a test can look at the row its dispatcher holds).
 */
function observedStore(store: WebhookStore) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const observed = { claims: 0, completions: 0, release: () => release() };
  const wrapped: WebhookStore = {
    ...store,
    async claimEvents(claim) {
      observed.claims++;
      return store.claimEvents(claim);
    },
    async completeEvent(event, fanOut) {
      observed.completions++;
      await gate;
      return store.completeEvent(event, fanOut);
    },
    async completeEventLeasingDeliveries(event, fanOut, leaseMs) {
      observed.completions++;
      await gate;
      return store.completeEventLeasingDeliveries(event, fanOut, leaseMs);
    },
  };
  return { observed, store: wrapped };
}

async function eventRow(database: TestDatabase, paymentId: string) {
  const { db } = database;
  const row =
    db.kind === "sqlite"
      ? db.sqlite
          .prepare(
            "SELECT lease_owner, attempts, state, body, dispatched_at FROM webhook_events WHERE json_extract(data, '$.paymentId') = ?",
          )
          .get(paymentId)
      : (
          await db.pool.query(
            "SELECT lease_owner, attempts, state, body, dispatched_at FROM webhook_events WHERE data::json->>'paymentId' = $1",
            [paymentId],
          )
        ).rows[0];
  if (!row) return undefined;
  const { body, dispatched_at, ...columns } = row as {
    lease_owner: string | null;
    attempts: number;
    state: string;
    body: string | null;
    dispatched_at: number | string | null;
  };
  return { ...columns, hasBody: body !== null, dispatched: dispatched_at !== null };
}

/**
 * A completion's event is written in the change's own transaction. With the webhooks module
 * running, it is written leased to this process's dispatcher and handed over in memory once
 * committed (no claim), as an ingested webhook is; with no dispatch slot free it is written for
 * any claimer, and the dispatcher is woken for it.
 */
describe.each(DATABASE_KINDS)("a completion's outbox event on $kind", ({ kind, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(maxConcurrentEvents: number, { subscribed = true } = {}) {
    const database = await openTestDatabase(kind);
    cleanups.push(() => database.close());
    await migrate(database.db, paymentRecordMigrations);
    const { observed, store } = observedStore(await openWebhookStore(database.db));
    const webhooks = await createWebhooks({
      store,
      secrets: [],
      sandbox: true,
      // Polls a minute apart: whatever is claimed soon was claimed because of a wake-up.
      tuning: { maxConcurrentEvents, leaseMs: 30_000, pollIntervalMs: 60_000 },
      logger: silent,
    });
    const received: string[] = [];
    if (subscribed) {
      webhooks.on("PaymentStatusChanged", (event) => {
        received.push(event.data.paymentId);
      });
    }
    const watched: string[] = [];
    webhooks.watch((event) => watched.push(`${event.type} ${String(event.data.paymentId)}`));
    webhooks.start();
    cleanups.push(async () => {
      observed.release();
      await webhooks.stop();
    });
    // The claims every dispatcher makes as it starts, before the test's own work.
    await waitFor(() => observed.claims > 0);
    const records = createPaymentRecordStore(database.db);
    const deps = {
      portone: paidPortOne(AMOUNT),
      records,
      outbox: webhooks.eventSink,
      channelType: "TEST" as const,
    };
    const complete = async () => {
      const paymentId = `pay-outbox-${Math.random().toString(36).slice(2)}`;
      await insertPreparedRecord(records, paymentId, AMOUNT);
      const result = await syncPayment(paymentId, deps);
      expect(result.record.status).toBe("PAID");
      return paymentId;
    };
    return { database, webhooks, observed, received, watched, complete };
  }

  it.skipIf(skip)(
    "is committed leased to this dispatcher and dispatched with no claim",
    async () => {
      const { database, webhooks, observed, received, complete } = await start(4);
      const claimsBefore = observed.claims;
      const paymentId = await complete();
      // Committed with the change, already this dispatcher's first attempt.
      expect(await eventRow(database, paymentId)).toMatchObject({
        lease_owner: webhooks.dispatcher.workerId,
        attempts: 1,
        state: "pending",
        dispatched: false,
      });
      observed.release();
      await waitFor(() => received.length > 0, { description: "the change at the handler" });
      expect(received).toEqual([paymentId]);
      await waitFor(async () => (await eventRow(database, paymentId))?.state === "dispatched");
      expect(await eventRow(database, paymentId)).toMatchObject({ attempts: 1, lease_owner: null });
      expect(observed.claims).toBe(claimsBefore);
    },
  );

  it.skipIf(skip)("is left to a claim, with a wake-up, when no dispatch slot is free", async () => {
    const { database, observed, received, complete } = await start(1);
    const first = await complete(); // holds the one slot until completions are released
    const claimsBefore = observed.claims;
    const second = await complete();
    expect(await eventRow(database, second)).toMatchObject({
      lease_owner: null,
      attempts: 0,
      state: "pending",
    });
    observed.release();
    await waitFor(() => received.length === 2, { description: "both changes at the handler" });
    expect(received).toEqual([first, second]);
    expect(observed.claims).toBeGreaterThan(claimsBefore);
    expect(await eventRow(database, second)).toMatchObject({ state: "dispatched", attempts: 1 });
    expect(await eventRow(database, first)).toMatchObject({ state: "dispatched", attempts: 1 });
  });

  it.skipIf(skip)(
    "is committed already dispatched when no subscriber wants it: no slot, claim or completion",
    async () => {
      // One slot, held by nothing: a leased write would take it and wait for the completion gate.
      const { database, webhooks, observed, watched, complete } = await start(1, {
        subscribed: false,
      });
      const claimsBefore = observed.claims;
      const first = await complete();
      const second = await complete();
      for (const paymentId of [first, second]) {
        // As a completion with no deliveries leaves it, in the change's own commit.
        expect(await eventRow(database, paymentId)).toEqual({
          lease_owner: null,
          attempts: 1,
          state: "dispatched",
          hasBody: false,
          dispatched: true,
        });
      }
      // The watchers saw both once committed; nothing was claimed or completed for them.
      expect(watched).toEqual([`PaymentStatusChanged ${first}`, `PaymentStatusChanged ${second}`]);
      expect(await webhooks.store.backlog()).toMatchObject({ pendingEvents: 0 });
      expect(observed.completions).toBe(0);
      expect(observed.claims).toBe(claimsBefore);
      // A handler added later gets the next change through dispatch, as before.
      const received: string[] = [];
      webhooks.on("PaymentStatusChanged", (event) => {
        received.push(event.data.paymentId);
      });
      const third = await complete();
      expect(await eventRow(database, third)).toMatchObject({ state: "pending", attempts: 1 });
      observed.release();
      await waitFor(() => received.length > 0, { description: "the third change at the handler" });
      expect(received).toEqual([third]);
    },
  );
});
