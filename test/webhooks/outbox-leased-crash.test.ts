import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/store/database.js";
import { paymentRecordMigrations } from "../../src/store/payment-records/index.js";
import { createWebhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import { waitFor } from "../support/wait-for.js";
import { startStallingChild } from "./support/stalling-child.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";
import { deliveredDelivery } from "./support/wait-delivered.js";

const LEASE_MS = 1_000;
const silent = { info() {}, warn() {}, error() {} };

interface Stalled {
  readonly paymentId: string;
  readonly status: string;
  readonly workerId: string;
}

/** The completing replica as a real process; resolves once its completion has committed. */
function startStallingWriter(database: TestDatabase) {
  return startStallingChild<Stalled>("test/webhooks/support/stalling-outbox-writer.ts", database, {
    WEBHOOK_LEASE_MS: String(LEASE_MS),
  });
}

async function eventRow(database: TestDatabase, paymentId: string) {
  const { db } = database;
  const row =
    db.kind === "sqlite"
      ? db.sqlite
          .prepare(
            "SELECT id, lease_owner, attempts, state FROM webhook_events WHERE json_extract(data, '$.paymentId') = ?",
          )
          .get(paymentId)
      : (
          await db.pool.query(
            "SELECT id, lease_owner, attempts, state FROM webhook_events WHERE data::json->>'paymentId' = $1",
            [paymentId],
          )
        ).rows[0];
  return row as
    | { id: string; lease_owner: string | null; attempts: number; state: string }
    | undefined;
}

/**
 * A completion's event is committed leased to the completing replica, which dispatches it from
 * memory. If that replica dies after the commit and before the dispatch, only the lease says
 * the event is taken: once it runs out, another replica claims the event and delivers it.
 */
describe.each(DATABASE_KINDS)(
  "a completing replica killed before dispatching its outbox event on $kind",
  ({ kind, skip }) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it.skipIf(skip)(
      "leaves the event to another replica, which delivers it once the lease runs out",
      async () => {
        const database = await openTestDatabase(kind);
        cleanups.push(() => database.close());
        await migrate(database.db, paymentRecordMigrations);
        const store = await openWebhookStore(database.db);
        const stalled = await startStallingWriter(database);
        cleanups.push(() => stalled.kill());
        expect(stalled.status).toBe("PAID");
        // Committed with the change, already the completing replica's first attempt.
        const leased = await eventRow(database, stalled.paymentId);
        expect(leased).toMatchObject({
          lease_owner: stalled.workerId,
          attempts: 1,
          state: "pending",
        });
        await stalled.kill();

        const webhooks = await createWebhooks({
          store,
          secrets: [],
          sandbox: true,
          tuning: { leaseMs: LEASE_MS, deliveryTimeoutMs: LEASE_MS / 2, pollIntervalMs: 50 },
          logger: silent,
        });
        const received: [string, string][] = [];
        webhooks.on("PaymentStatusChanged", (event) => {
          received.push([event.id, event.data.status]);
        });
        webhooks.start();
        cleanups.push(() => webhooks.stop());
        await waitFor(() => received.length > 0, {
          timeoutMs: 20_000,
          description: "the dead replica's event delivered by the other one",
        });
        await waitFor(
          async () => (await eventRow(database, stalled.paymentId))?.state === "dispatched",
        );
        expect(received).toEqual([[leased?.id, "PAID"]]);
        // Taken over as attempt 2: the dead replica's attempt 1 is never reused.
        expect(await eventRow(database, stalled.paymentId)).toMatchObject({
          attempts: 2,
          lease_owner: null,
        });
        expect(await deliveredDelivery(store, leased?.id ?? "")).toMatchObject({ attempts: 1 });
      },
      60_000,
    );
  },
);
