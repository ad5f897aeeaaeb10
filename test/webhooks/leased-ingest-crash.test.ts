import { afterEach, describe, expect, it } from "vitest";
import { createWebhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import { postSignedWebhook } from "../support/signed-webhook.js";
import { waitFor } from "../support/wait-for.js";
import { startStallingChild } from "./support/stalling-child.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";
import { deliveredDelivery } from "./support/wait-delivered.js";

const SECRET = Buffer.from("leased-ingest-crash-secret-0123456789").toString("base64");
const LEASE_MS = 1_000;
const silent = { info() {}, warn() {}, error() {} };

/** The stalling replica as a real process; resolves once it listens. */
function startStallingReplica(database: TestDatabase) {
  return startStallingChild<{ url: string; workerId: string }>(
    "test/webhooks/support/stalling-replica.ts",
    database,
    { WEBHOOK_SECRET: SECRET, WEBHOOK_LEASE_MS: String(LEASE_MS) },
  );
}

async function eventRow(database: TestDatabase, id: string) {
  const sql = "SELECT lease_owner, attempts, state FROM webhook_events WHERE id = ";
  const { db } = database;
  const row =
    db.kind === "sqlite"
      ? db.sqlite.prepare(`${sql}?`).get(id)
      : (await db.pool.query(`${sql}$1`, [id])).rows[0];
  return row as { lease_owner: string | null; attempts: number; state: string } | undefined;
}

/**
 * The replica that ingests an event stores it leased to itself and dispatches it from memory.
 * If that replica dies before finishing, nothing but the lease says the event is taken: once
 * it runs out, another replica claims the event and delivers it.
 */
describe.each(DATABASE_KINDS)(
  "an ingesting replica killed mid-dispatch on $kind",
  ({ kind, skip }) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it.skipIf(skip)(
      "leaves its leased event to another replica, which delivers it once the lease runs out",
      async () => {
        const database = await openTestDatabase(kind);
        cleanups.push(() => database.close());
        const store = await openWebhookStore(database.db);
        const stalling = await startStallingReplica(database);
        cleanups.push(() => stalling.kill());

        const id = `msg_leased_${Math.random().toString(36).slice(2)}`;
        const body = JSON.stringify({
          type: "Transaction.Paid",
          timestamp: new Date().toISOString(),
          data: { storeId: "store-1", paymentId: "pay-leased", transactionId: "tx-1" },
        });
        const response = await postSignedWebhook(stalling.url, SECRET, body, id);
        expect(response.status).toBe(200);
        // Committed before the 2xx, already leased to the ingesting replica as its first attempt.
        expect(await eventRow(database, id)).toMatchObject({
          lease_owner: stalling.workerId,
          attempts: 1,
          state: "pending",
        });
        await stalling.kill();

        const webhooks = await createWebhooks({
          store,
          secrets: [],
          sandbox: true,
          tuning: { leaseMs: LEASE_MS, deliveryTimeoutMs: LEASE_MS / 2, pollIntervalMs: 50 },
          logger: silent,
        });
        const received: { id: string; payment: unknown }[] = [];
        webhooks.on("Transaction.*", (event) => {
          received.push({ id: event.id, payment: event.payment });
        });
        webhooks.start();
        cleanups.push(() => webhooks.stop());
        await waitFor(() => received.length > 0, {
          timeoutMs: 20_000,
          description: "the dead replica's event delivered by the other one",
        });
        await waitFor(async () => (await eventRow(database, id))?.state === "dispatched");
        expect(received).toEqual([{ id, payment: null }]);
        // Taken over as attempt 2: the dead replica's attempt 1 is never reused.
        expect(await eventRow(database, id)).toMatchObject({ attempts: 2, lease_owner: null });
        expect(await deliveredDelivery(store, id)).toMatchObject({ attempts: 1 });
      },
      60_000,
    );
  },
);
