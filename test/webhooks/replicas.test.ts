import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceDependencies, startServiceDependencies } from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";
import { sendBurstToReplicas, startThreeReplicas } from "./support/replica-burst.js";
import type { ServiceProcess } from "./support/service-process.js";
import { randomSecret, SubscriberServer } from "./support/subscriber-server.js";
import { TEST_DATABASE_URL, temporaryPostgresSchema } from "./support/test-databases.js";

/**
 * Three service processes on one PostgreSQL share the inbox and the outbox: PortOne's webhooks
 * land on any of them (and twice), yet each event reaches each subscriber, and no delivery
 * attempt is ever made twice or overlaps another attempt of the same delivery.
 */
describe.skipIf(!TEST_DATABASE_URL)("three replicas on one PostgreSQL", () => {
  let dependencies: ServiceDependencies;
  let slow: SubscriberServer;
  let flaky: SubscriberServer;
  let dropSchema: (() => Promise<void>) | undefined;
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    if (!TEST_DATABASE_URL) return;
    dependencies = await startServiceDependencies();
    slow = new SubscriberServer(randomSecret());
    flaky = new SubscriberServer(randomSecret());
    await slow.listen();
    await flaky.listen();
    const schema = await temporaryPostgresSchema(TEST_DATABASE_URL);
    dropSchema = schema.cleanup;
    const env = dependencies.env({
      DATABASE_URL: schema.url,
      LOG_LEVEL: "info",
      WEBHOOK_SUBSCRIBERS: JSON.stringify([
        { url: slow.url, secret: slow.secret },
        { url: flaky.url, secret: flaky.secret, events: ["Transaction.*"] },
      ]),
      WEBHOOK_RETRY_BASE_MS: "50",
      WEBHOOK_RETRY_MAX_MS: "300",
      WEBHOOK_MAX_ATTEMPTS: "100",
      WEBHOOK_DELIVERY_TIMEOUT_MS: "3000",
      WEBHOOK_LEASE_MS: "10000",
      WEBHOOK_POLL_INTERVAL_MS: "50",
      RECONCILE_INTERVAL_MS: "0",
    });
    // Started together: their migrations race and must serialise.
    replicas.push(...(await startThreeReplicas(env)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await slow?.close();
    await flaky?.close();
    await dependencies?.close();
    await dropSchema?.();
  });

  it("delivers each event to each subscriber, with no attempt made twice", async () => {
    slow.delayMs = 150;
    flaky.mode = "failing";
    const ids = Array.from({ length: 30 }, (_, i) => `msg_replica_${i}_${Date.now()}`);
    const statuses = await sendBurstToReplicas(
      replicas,
      dependencies.sandbox.sandbox.webhookSecret,
      ids,
    );
    expect(statuses.every((status) => status === 200)).toBe(true);

    await waitFor(() => flaky.requests.length >= 20, {
      timeoutMs: 60_000,
      description: "the flaky subscriber failed a few times",
    });
    flaky.mode = "up";

    const transactionIds = ids.filter((_, i) => i % 3 !== 0);
    await waitFor(() => ids.every((id) => slow.acceptedFor(id).length > 0), {
      timeoutMs: 60_000,
      description: "every event at the slow subscriber",
    });
    await waitFor(() => transactionIds.every((id) => flaky.acceptedFor(id).length > 0), {
      timeoutMs: 60_000,
      description: "every transaction event at the flaky subscriber",
    });

    for (const id of ids) expect(slow.acceptedFor(id), id).toHaveLength(1);
    for (const id of transactionIds) expect(flaky.acceptedFor(id), id).toHaveLength(1);
    expect(flaky.acceptedIds().filter((id) => !transactionIds.includes(id))).toEqual([]);

    for (const subscriber of [slow, flaky]) {
      expect(subscriber.refused).toEqual([]);
      const byEvent = new Map<string, typeof subscriber.requests>();
      for (const request of subscriber.requests) {
        byEvent.set(request.webhookId, [...(byEvent.get(request.webhookId) ?? []), request]);
      }
      for (const [id, requests] of byEvent) {
        // Each attempt number was handed out once...
        const attempts = requests.map((request) => request.attempt);
        expect(new Set(attempts).size, `${id} attempts ${attempts}`).toBe(attempts.length);
        // ...and attempts of one delivery never overlapped in time.
        const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt);
        for (let i = 1; i < sorted.length; i++) {
          expect(sorted[i]?.startedAt ?? 0).toBeGreaterThanOrEqual(
            sorted[i - 1]?.endedAt ?? Infinity,
          );
        }
      }
    }
    // The flaky subscriber's retries really happened...
    expect(flaky.requests.length).toBeGreaterThan(transactionIds.length);
    // ...and the deliveries were shared among the replicas, as each one's /metrics shows.
    const deliveredPerReplica = async () =>
      Promise.all(
        replicas.map(async (replica) => {
          const text = await (await fetch(`${replica.internalUrl}/metrics`)).text();
          return [
            ...text.matchAll(
              /^portone_bff_webhook_deliveries_total\{[^}]*outcome="delivered"[^}]*\} (\d+)/gm,
            ),
          ]
            .map((match) => Number(match[1]))
            .reduce((sum, count) => sum + count, 0);
        }),
      );
    // A delivery is counted just after the subscriber answered, so allow a moment.
    const expected = ids.length + transactionIds.length;
    let counts: number[] = [];
    await waitFor(
      async () => {
        counts = await deliveredPerReplica();
        return counts.reduce((sum, count) => sum + count, 0) >= expected;
      },
      { timeoutMs: 20_000, description: "every delivery counted" },
    );
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(expected);
    expect(counts.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
