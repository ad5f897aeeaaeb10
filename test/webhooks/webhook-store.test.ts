import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import { inboundEvent as event } from "./support/inbound-event.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const LEASE = 10_000;

describe.each(DATABASE_KINDS)("WebhookStore on $kind", ({ kind, skip }) => {
  let database: TestDatabase;
  let store: WebhookStore;
  let sequence = 0;
  const uniqueId = (label: string) =>
    `${label}-${++sequence}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    if (skip) return;
    database = await openTestDatabase(kind);
    store = await openWebhookStore(database.db);
    // A second migrate on an already migrated database must be a no-op.
    await openWebhookStore(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  /** Claims everything due at `now`, optionally restricted, and completes it with `subscribers`. */
  async function dispatch(id: string, subscribers: string[], now: number) {
    const claimed = (
      await store.claimEvents({ owner: "w", now, leaseMs: LEASE, limit: 1000 })
    ).filter((candidate) => candidate.id === id);
    expect(claimed).toHaveLength(1);
    const [claim] = claimed;
    if (!claim) throw new Error("unreachable");
    expect(
      await store.completeEvent(claim, { body: `{"id":"${id}"}`, subscriberIds: subscribers, now }),
    ).toBe(true);
  }

  it.skipIf(skip)("stores an event once per webhook-id", async () => {
    const id = uniqueId("dup");
    expect(await store.insertEvent(event(id), 1_000)).toBe(true);
    expect(await store.insertEvent({ ...event(id), type: "Transaction.Failed" }, 2_000)).toBe(
      false,
    );
    const stored = await store.getEvent(id);
    expect(stored).toMatchObject({
      id,
      type: "Transaction.Paid",
      receivedAt: 1_000,
      state: "pending",
    });
    expect(stored?.data).toEqual({
      paymentId: `pay-${id}`,
      transactionId: "tx-1",
      storeId: "store-1",
    });
  });

  it.skipIf(skip)(
    "stores each event's data exactly as sent, whatever its text, in one batch with its neighbours",
    async () => {
      // What JSON can carry but SQL text and PostgreSQL's json type treat specially: quotes,
      // backslashes, NUL, lone surrogate halves (JSON.stringify writes them as escapes), JSON
      // escapes as plain text, non-BMP characters; and every scalar type.
      const awkward = {
        quote: 'say "hi"',
        backslash: "C:\\path\\",
        nul: "a\u0000b",
        lowSurrogate: "x\udc00y",
        highSurrogate: "\ud800",
        escapeAsText: "\\u0000 \\n",
        emoji: "결제 😀",
        nested: { list: [1, 2.5, null, true, "}"], empty: {} },
      };
      const ids = [uniqueId("data"), uniqueId("data"), uniqueId("data")];
      const inserted = await Promise.all([
        store.insertEvent({ ...event(ids[0] ?? ""), data: awkward }, 1_000),
        store.insertEvent({ ...event(ids[1] ?? ""), type: "Transaction.Cancelled" }, 1_001),
        store.insertEvent({ ...event(ids[2] ?? ""), data: {} }, 1_002),
      ]);
      expect(inserted).toEqual([true, true, true]);
      expect((await store.getEvent(ids[0] ?? ""))?.data).toEqual(awkward);
      expect(await store.getEvent(ids[1] ?? "")).toMatchObject({
        type: "Transaction.Cancelled",
        occurredAt: "2024-04-25T10:00:00.000Z",
        receivedAt: 1_001,
        data: event(ids[1] ?? "").data,
      });
      expect((await store.getEvent(ids[2] ?? ""))?.data).toEqual({});
    },
  );

  it.skipIf(skip)("keeps exactly one row under 50 concurrent inserts of one id", async () => {
    const id = uniqueId("race");
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.insertEvent(event(id), 1_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it.skipIf(skip)(
    "leases events to one claimer and fences a claimer whose lease was taken over",
    async () => {
      const id = uniqueId("lease");
      const now = 10_000_000;
      await store.insertEvent(event(id), now);
      const [first, second] = await Promise.all([
        store.claimEvents({ owner: "a", now, leaseMs: LEASE, limit: 1000 }),
        store.claimEvents({ owner: "b", now, leaseMs: LEASE, limit: 1000 }),
      ]);
      const claims = [...(first ?? []), ...(second ?? [])].filter((c) => c.id === id);
      expect(claims).toHaveLength(1);
      const stale = claims[0];
      if (!stale) throw new Error("unreachable");
      expect(stale.attempt).toBe(1);

      // Still leased: nobody else gets it before the lease runs out.
      const early = await store.claimEvents({
        owner: "c",
        now: now + LEASE - 1,
        leaseMs: LEASE,
        limit: 1000,
      });
      expect(early.some((c) => c.id === id)).toBe(false);
      const later = (
        await store.claimEvents({ owner: "c", now: now + LEASE, leaseMs: LEASE, limit: 1000 })
      ).filter((c) => c.id === id);
      expect(later).toHaveLength(1);
      expect(later[0]?.attempt).toBe(2);

      expect(await store.completeEvent(stale, { body: "{}", subscriberIds: ["s1"], now })).toBe(
        false,
      );
      expect(await store.listDeliveries({ eventId: id })).toEqual([]);
      const current = later[0];
      if (!current) throw new Error("unreachable");
      expect(
        await store.completeEvent(current, { body: "{}", subscriberIds: ["s1", "s2"], now }),
      ).toBe(true);
      expect((await store.getEvent(id))?.state).toBe("dispatched");
      expect(
        (await store.listDeliveries({ eventId: id })).map((d) => d.subscriberId).sort(),
      ).toEqual(["s1", "s2"]);
    },
  );

  it.skipIf(skip)("postpones an event until its next attempt time", async () => {
    const id = uniqueId("postpone");
    const now = 20_000_000;
    await store.insertEvent(event(id), now);
    const [claim] = (
      await store.claimEvents({ owner: "a", now, leaseMs: LEASE, limit: 1000 })
    ).filter((c) => c.id === id);
    if (!claim) throw new Error("event was not claimed");
    await store.postponeEvent(claim, { nextAttemptAt: now + 500, error: "PortOne unreachable" });
    const stored = await store.getEvent(id);
    expect(stored).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "PortOne unreachable",
    });
    const tooEarly = await store.claimEvents({
      owner: "a",
      now: now + 499,
      leaseMs: LEASE,
      limit: 1000,
    });
    expect(tooEarly.some((c) => c.id === id)).toBe(false);
    const due = await store.claimEvents({
      owner: "a",
      now: now + 500,
      leaseMs: LEASE,
      limit: 1000,
    });
    expect(due.find((c) => c.id === id)?.attempt).toBe(2);
  });

  it.skipIf(skip)(
    "hands each due delivery to exactly one of many concurrent claimers",
    async () => {
      const now = 30_000_000;
      const ids = Array.from({ length: 20 }, () => uniqueId("fan"));
      for (const id of ids) {
        await store.insertEvent(event(id), now);
        await dispatch(id, ["concurrent-a", "concurrent-b"], now);
      }
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, worker) =>
          store.claimDeliveries({
            owner: `worker-${worker}`,
            now,
            leaseMs: LEASE,
            limit: 7,
            subscriberIds: ["concurrent-a", "concurrent-b"],
          }),
        ),
      );
      const claimedIds = claims.flat().map((d) => d.id);
      expect(new Set(claimedIds).size).toBe(claimedIds.length);
      expect(claimedIds).toHaveLength(40);
      for (const delivery of claims.flat()) {
        expect(delivery.attempt).toBe(1);
        expect(delivery.eventType).toBe("Transaction.Paid");
        expect(delivery.body).toBe(`{"id":"${delivery.eventId}"}`);
      }
    },
  );

  it.skipIf(skip)("only hands out deliveries for the subscribers asked for", async () => {
    const now = 40_000_000;
    const id = uniqueId("filter");
    await store.insertEvent(event(id), now);
    await dispatch(id, ["only-here", "elsewhere"], now);
    const claimed = await store.claimDeliveries({
      owner: "w",
      now,
      leaseMs: LEASE,
      limit: 100,
      subscriberIds: ["only-here"],
    });
    expect(claimed.map((d) => [d.eventId, d.subscriberId])).toEqual([[id, "only-here"]]);
    expect(
      await store.claimDeliveries({
        owner: "w",
        now,
        leaseMs: LEASE,
        limit: 100,
        subscriberIds: [],
      }),
    ).toEqual([]);
  });

  it.skipIf(skip)(
    "retries, dead-letters and replays a delivery without reusing an attempt number",
    async () => {
      const now = 50_000_000;
      const id = uniqueId("retry");
      const subscriber = `sub-${id}`;
      await store.insertEvent(event(id), now);
      await dispatch(id, [subscriber], now);
      const claim = async (at: number) =>
        store.claimDeliveries({
          owner: "w",
          now: at,
          leaseMs: LEASE,
          limit: 10,
          subscriberIds: [subscriber],
        });

      const [first] = await claim(now);
      if (!first) throw new Error("delivery was not claimed");
      expect([first.attempt, first.attemptSinceReplay]).toEqual([1, 1]);
      expect(
        await store.finishDelivery(first, {
          kind: "retry",
          now,
          nextAttemptAt: now + 1_000,
          error: "HTTP 503",
          statusCode: 503,
        }),
      ).toBe(true);
      expect(await claim(now + 999)).toEqual([]);
      const [second] = await claim(now + 1_000);
      if (!second) throw new Error("retry was not claimed");
      expect(second.attempt).toBe(2);
      // A result for an attempt that is no longer current is refused.
      expect(await store.finishDelivery(first, { kind: "delivered", now, statusCode: 200 })).toBe(
        false,
      );
      expect(
        await store.finishDelivery(second, {
          kind: "dead",
          now: now + 1_000,
          error: "HTTP 500",
          statusCode: 500,
        }),
      ).toBe(true);
      expect(await claim(now + 10_000_000)).toEqual([]);

      const dead = await store.listDeliveries({ subscriberId: subscriber, state: "dead" });
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        eventId: id,
        attempts: 2,
        lastError: "HTTP 500",
        lastStatusCode: 500,
      });

      expect(await store.replayDeadLetters({ subscriberId: subscriber, now: now + 2_000 })).toBe(1);
      expect(await store.replayDeadLetters({ subscriberId: subscriber, now: now + 2_000 })).toBe(0);
      const [replayed] = await claim(now + 2_000);
      if (!replayed) throw new Error("replayed delivery was not claimed");
      expect([replayed.attempt, replayed.attemptSinceReplay]).toEqual([3, 1]);
      expect(
        await store.finishDelivery(replayed, {
          kind: "delivered",
          now: now + 2_000,
          statusCode: 204,
        }),
      ).toBe(true);
      const [delivered] = await store.listDeliveries({ eventId: id });
      expect(delivered).toMatchObject({
        state: "delivered",
        attempts: 3,
        deliveredAt: now + 2_000,
        lastError: null,
      });
    },
  );

  it.skipIf(skip)("replays only the dead letters matching the filter", async () => {
    const now = 60_000_000;
    const ids = [uniqueId("replay-a"), uniqueId("replay-b")];
    const subscriber = `sub-${ids[0]}`;
    for (const id of ids) {
      await store.insertEvent(event(id), now);
      await dispatch(id, [subscriber], now);
    }
    for (const delivery of await store.claimDeliveries({
      owner: "w",
      now,
      leaseMs: LEASE,
      limit: 10,
      subscriberIds: [subscriber],
    })) {
      await store.finishDelivery(delivery, {
        kind: "dead",
        now,
        error: "connection refused",
        statusCode: null,
      });
    }
    expect(await store.replayDeadLetters({ eventId: ids[0], now })).toBe(1);
    const states = await store.listDeliveries({ subscriberId: subscriber });
    expect(states.map((d) => [d.eventId, d.state])).toEqual([
      [ids[0], "pending"],
      [ids[1], "dead"],
    ]);
  });

  it.skipIf(skip)("reports the backlog", async () => {
    const before = await store.backlog();
    const id = uniqueId("backlog");
    await store.insertEvent(event(id), 5);
    const after = await store.backlog();
    expect(after.pendingEvents).toBe(before.pendingEvents + 1);
    expect(after.oldestPendingEventAt).toBe(5);
    expect(after.deadLetters).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)("grants a named lease to one owner until it expires", async () => {
    const name = uniqueId("reconcile");
    const results = await Promise.all(
      ["a", "b", "c"].map((owner) => store.tryAcquireLease(name, owner, 1_000, 5_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = ["a", "b", "c"][results.indexOf(true)] as string;
    expect(await store.tryAcquireLease(name, holder, 2_000, 5_000)).toBe(true);
    expect(await store.tryAcquireLease(name, "other", 6_999, 5_000)).toBe(false);
    expect(await store.tryAcquireLease(name, "other", 7_000, 5_000)).toBe(true);
  });
});
