import { afterEach, describe, expect, it, vi } from "vitest";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { ClaimedEvent, WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import { inboundEvent as event } from "./support/inbound-event.js";
import { openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const NOW = 1_000_000;
const lease = { owner: "worker-1", leaseMs: 10_000 };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function leasedEvents(store: WebhookStore, count: number): Promise<ClaimedEvent[]> {
  const events = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      store.insertLeasedEvent(event(`evt-hold-${index}`), NOW + index, lease),
    ),
  );
  return events.map((claimed) => {
    if (!claimed) throw new Error("a new event is always stored");
    return claimed;
  });
}

const states = (store: WebhookStore, events: readonly ClaimedEvent[]) =>
  Promise.all(events.map(async (claimed) => (await store.getEvent(claimed.id))?.state));

/**
 * SQLite commits event completions together: ones finished on separate turns of the event loop
 * wait (5 ms) to share one commit, and a burst of 16 goes at once, before it could take up the
 * dispatcher's slots.
 */
describe("event completions on SQLite", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await database?.close();
    database = undefined;
  });

  it("finished on separate turns, they commit together once the hold is over", async () => {
    database = await openTestDatabase("sqlite");
    const store = await openWebhookStore(database.db);
    const events = await leasedEvents(store, 3);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const completed: Promise<boolean>[] = [];
    for (const claimed of events) {
      completed.push(store.completeEvent(claimed, { body: null, subscriberIds: [], now: NOW }));
      await nextTurn();
    }
    expect(await states(store, events)).toEqual(["pending", "pending", "pending"]);
    vi.advanceTimersByTime(5);
    expect(await Promise.all(completed)).toEqual([true, true, true]);
    expect(await states(store, events)).toEqual(["dispatched", "dispatched", "dispatched"]);
  });

  it("16 queued commit at once, without waiting out the hold", async () => {
    database = await openTestDatabase("sqlite");
    const store = await openWebhookStore(database.db);
    const events = await leasedEvents(store, 16);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const completed = events.map((claimed) =>
      store.completeEvent(claimed, { body: null, subscriberIds: [], now: NOW }),
    );
    expect(await Promise.all(completed)).toEqual(events.map(() => true));
    expect(new Set(await states(store, events))).toEqual(new Set(["dispatched"]));
  });
});
