import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DispatcherTuning,
  defaultDispatcherTuning,
  WebhookDispatcher,
} from "../../src/webhooks/dispatcher.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import type { DeliveryResult, Subscriber } from "../../src/webhooks/subscriber.js";
import type { NatsJetStreamFanOut } from "../../src/webhooks/subscribers/nats-jetstream.js";
import { waitFor } from "../support/wait-for.js";
import {
  connectTestFanOut,
  deleteStream,
  NATS_TEST_URL,
  natsAvailable,
  readStream,
  silentLogger,
  uniqueStream,
} from "./support/nats.js";
import { openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const available = await natsAvailable();
const tuning: DispatcherTuning = {
  ...defaultDispatcherTuning,
  delivery: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 200 },
  leaseMs: 1_500,
  deliveryTimeoutMs: 1_000,
  pollIntervalMs: 25,
};

/**
 * A worker publishes, the stream acknowledges, and the worker dies before the outbox records
 * it: the lease runs out, the next worker (the restarted service) publishes again, and the
 * stream's de-duplication on Nats-Msg-Id keeps one message.
 */
describe.skipIf(!available)("a crash between the publish and the outbox's mark", () => {
  const { stream, prefix } = uniqueStream("crash");
  let database: TestDatabase;
  let store: WebhookStore;
  let fanOut: NatsJetStreamFanOut;
  let nc: NatsConnection;
  const registry = new Registry();

  beforeAll(async () => {
    database = await openTestDatabase("sqlite");
    store = await openWebhookStore(database.db);
    fanOut = await connectTestFanOut(
      {
        NATS_STREAM: stream,
        NATS_SUBJECT_PREFIX: prefix,
        NATS_TIMEOUT_MS: "1000",
      },
      {
        retry: tuning.delivery,
        leaseMs: tuning.leaseMs,
        pollIntervalMs: tuning.pollIntervalMs,
        logger: silentLogger,
        registry,
      },
    );
    nc = await connect({ servers: NATS_TEST_URL, timeout: 3_000 });
  });

  afterAll(async () => {
    await fanOut?.close();
    await nc?.close();
    await database?.close();
    await deleteStream(NATS_TEST_URL, stream);
  });

  it("re-publishes after the restart and the stream holds one message", async () => {
    // The first worker's process "dies" right after the stream acknowledged: its attempt never
    // returns, so nothing is written to the outbox.
    let published = false;
    let release: (result: DeliveryResult) => void = () => {};
    const dyingSubscriber: Subscriber = {
      id: fanOut.subscriber.id,
      wants: () => true,
      async deliver(delivery) {
        const result = await fanOut.subscriber.deliver(delivery);
        expect(result.ok).toBe(true);
        published = true;
        return new Promise<DeliveryResult>((resolve) => {
          release = resolve;
        });
      },
    };
    const first = new WebhookDispatcher({
      store,
      subscribers: () => [dyingSubscriber],
      tuning,
      sandbox: true,
      logger: silentLogger,
      workerId: "worker-that-crashes",
    });
    await store.insertEvent(
      {
        id: "evt-crash-1",
        source: "portone",
        format: "2024-04-25",
        type: "BillingKey.Issued",
        occurredAt: new Date().toISOString(),
        data: { storeId: "store-1", billingKey: "bk-1" },
      },
      Date.now(),
    );
    first.start();
    await waitFor(() => published, { description: "the first worker published" });
    const firstStopped = first.stop(); // claims nothing more; its attempt stays "in flight"

    const [pending] = await store.listDeliveries({ subscriberId: fanOut.subscriber.id });
    expect(pending).toMatchObject({ state: "pending", attempts: 1 });
    expect((await readStream(nc, stream)).map((m) => m.msgId)).toEqual(["evt-crash-1"]);

    // The restarted service: a new worker with the real subscriber.
    const restarted = new WebhookDispatcher({
      store,
      subscribers: () => [fanOut.subscriber],
      tuning,
      sandbox: true,
      logger: silentLogger,
      workerId: "worker-after-restart",
    });
    restarted.start();
    await waitFor(
      async () => {
        const [row] = await store.listDeliveries({ subscriberId: fanOut.subscriber.id });
        return row?.state === "delivered";
      },
      { description: "the restarted worker delivered" },
    );
    await restarted.stop();

    const [delivered] = await store.listDeliveries({ subscriberId: fanOut.subscriber.id });
    expect(delivered).toMatchObject({ state: "delivered", attempts: 2 });
    const messages = await readStream(nc, stream);
    expect(messages.map((m) => m.msgId)).toEqual(["evt-crash-1"]);
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      `portone_bff_nats_publishes_total{stream="${stream}",outcome="stored"} 1`,
    );
    expect(metrics).toContain(
      `portone_bff_nats_publishes_total{stream="${stream}",outcome="duplicate"} 1`,
    );

    // The dead worker's late answer is fenced off: the outbox keeps the restart's result.
    release({ ok: false, statusCode: null, error: "late answer of a dead worker" });
    await firstStopped;
    const [after] = await store.listDeliveries({ subscriberId: fanOut.subscriber.id });
    expect(after).toMatchObject({ state: "delivered", attempts: 2, lastError: null });
  }, 30_000);
});
