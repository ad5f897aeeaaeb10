import { afterEach, describe, expect, it } from "vitest";
import type { PaymentSyncPort } from "../../src/webhooks/dispatcher.js";
import { createWebhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import { waitFor } from "../support/wait-for.js";
import { inboundEvent as event } from "./support/inbound-event.js";
import { DATABASE_KINDS, openTestDatabase } from "./support/test-databases.js";

const silent = { info() {}, warn() {}, error() {} };

/** The store, recording which event ids its claims handed out. */
function recordingClaims(store: WebhookStore): { store: WebhookStore; claimed: string[] } {
  const claimed: string[] = [];
  return {
    claimed,
    store: {
      ...store,
      async claimEvents(claim) {
        const events = await store.claimEvents(claim);
        claimed.push(...events.map((claimedEvent) => claimedEvent.id));
        return events;
      },
    },
  };
}

/** A payment sync that fails for good at once, except for `held` payments until `release()`. */
function gatedPayments(held: string): PaymentSyncPort & { release(): void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    async sync(paymentId) {
      if (paymentId === held) await gate;
      throw new Error(`no payment ${paymentId} in this test`);
    },
    isPermanent: () => true,
    release: () => release(),
  };
}

describe.each(DATABASE_KINDS)("events stored through the dispatcher on $kind", ({ kind, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(maxConcurrentEvents: number, payments: PaymentSyncPort) {
    const database = await openTestDatabase(kind);
    cleanups.push(() => database.close());
    const recording = recordingClaims(await openWebhookStore(database.db));
    const webhooks = await createWebhooks({
      store: recording.store,
      secrets: [],
      sandbox: true,
      payments,
      tuning: { maxConcurrentEvents, leaseMs: 5_000, deliveryTimeoutMs: 1_000, pollIntervalMs: 50 },
      logger: silent,
    });
    const received: string[] = [];
    webhooks.on("Transaction.*", (dispatched) => {
      received.push(dispatched.id);
    });
    webhooks.start();
    cleanups.push(() => webhooks.stop());
    return { webhooks, received, claimed: recording.claimed };
  }

  it.skipIf(skip)(
    "dispatches an event it had room for from memory: stored as attempt 1, never claimed",
    async () => {
      const { webhooks, received, claimed } = await start(4, gatedPayments("none"));
      const ids = ["evt-a", "evt-b", "evt-c"];
      const stored = await Promise.all(
        ids.map((id) => webhooks.dispatcher.storeEvent(event(id), Date.now())),
      );
      expect(stored).toEqual([true, true, true]);
      expect(await webhooks.dispatcher.storeEvent(event("evt-a"), Date.now())).toBe(false);
      await waitFor(() => received.length === 3, { description: "three events handled" });
      for (const id of ids) {
        expect(await webhooks.store.getEvent(id)).toMatchObject({
          state: "dispatched",
          attempts: 1,
        });
      }
      await waitFor(async () => (await webhooks.store.backlog()).pendingDeliveries === 0);
      expect(received.sort()).toEqual(ids);
      expect(claimed).toEqual([]);
    },
  );

  it.skipIf(skip)(
    "stores an event for whoever claims it when every event slot is taken, and claims it once one frees up",
    async () => {
      const payments = gatedPayments("pay-evt-busy");
      const { webhooks, received, claimed } = await start(1, payments);
      expect(await webhooks.dispatcher.storeEvent(event("evt-busy"), Date.now())).toBe(true);
      expect(await webhooks.dispatcher.storeEvent(event("evt-queued"), Date.now())).toBe(true);
      // Nobody holds it: any replica may claim it (and, on PostgreSQL, one is notified).
      const queued = await webhooks.store.getEvent("evt-queued");
      expect(queued).toMatchObject({ state: "pending", attempts: 0 });
      payments.release();
      await waitFor(() => received.length === 2, { description: "both events handled" });
      expect(received).toEqual(["evt-busy", "evt-queued"]);
      expect(claimed).toEqual(["evt-queued"]);
      expect(await webhooks.store.getEvent("evt-queued")).toMatchObject({
        state: "dispatched",
        attempts: 1,
      });
    },
  );
});
