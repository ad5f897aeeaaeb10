import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeEvents } from "../../src/webhooks/nats/consumer.js";
import { EventStreamMismatchError } from "../../src/webhooks/nats/stream.js";
import {
  connectNatsJetStream,
  type NatsJetStreamFanOut,
} from "../../src/webhooks/subscribers/nats-jetstream.js";
import { waitFor } from "../support/wait-for.js";
import {
  deleteStream,
  freePort,
  NATS_TEST_URL,
  natsAvailable,
  natsTestConfig,
  readStream,
  silentLogger,
  uniqueStream,
} from "./support/nats.js";

const available = await natsAvailable();
const retry = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

function eventBody(id: string, type: string, paymentId: string): string {
  return JSON.stringify({
    id,
    type,
    source: "portone",
    format: "2024-04-25",
    timestamp: new Date().toISOString(),
    data: { storeId: "store-1", paymentId, transactionId: "tx-1" },
    payment: null,
  });
}

describe.skipIf(!available)("NATS JetStream subscriber (real server)", () => {
  let admin: NatsConnection;
  const streams: string[] = [];
  const opened: NatsJetStreamFanOut[] = [];

  async function open(label: string, env: Record<string, string> = {}, registry?: Registry) {
    const names = uniqueStream(label);
    streams.push(names.stream);
    const config = natsTestConfig({
      NATS_STREAM: names.stream,
      NATS_SUBJECT_PREFIX: names.prefix,
      NATS_TIMEOUT_MS: "3000",
      ...env,
    });
    const fanOut = await connectNatsJetStream(config, {
      retry,
      leaseMs: 5_000,
      pollIntervalMs: 50,
      logger: silentLogger,
      ...(registry ? { registry } : {}),
    });
    opened.push(fanOut);
    return { fanOut, config, ...names };
  }

  beforeAll(async () => {
    admin = await connect({ servers: NATS_TEST_URL, timeout: 3_000 });
  });

  afterAll(async () => {
    for (const fanOut of opened) await fanOut.close();
    for (const stream of streams) await deleteStream(NATS_TEST_URL, stream);
    await admin?.close();
  });

  it("creates the stream with the subjects, retention and duplicate window the outbox needs", async () => {
    const { stream, prefix, fanOut } = await open("create");
    const info = await (await jetstreamManager(admin)).streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
    expect(info.config.retention).toBe(RetentionPolicy.Limits);
    expect(info.config.storage).toBe(StorageType.File);
    // 5 attempts x (5 s lease + 50 ms) + 100+200+400+800 ms, rounded up, at least 2 min.
    expect(info.config.duplicate_window).toBe(nanos(120_000));
    expect(fanOut.duplicateWindowMs).toBe(120_000);
    expect(fanOut.subscriber.id).toBe(`nats:${stream}`);
  });

  it("accepts an existing stream that fits", async () => {
    const first = await open("reuse");
    const again = await connectNatsJetStream(first.config, {
      retry,
      leaseMs: 5_000,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    opened.push(again);
    expect(await again.readiness.check()).toBe(true);
  });

  it("refuses to start on a stream that does not fit, saying what is wrong", async () => {
    const names = uniqueStream("mismatch");
    streams.push(names.stream);
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add({
      name: names.stream,
      subjects: [`${names.prefix}.transaction.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.Memory,
      duplicate_window: nanos(10_000),
    });
    const config = natsTestConfig({
      NATS_STREAM: names.stream,
      NATS_SUBJECT_PREFIX: names.prefix,
      NATS_TIMEOUT_MS: "3000",
    });
    const attempt = connectNatsJetStream(config, {
      retry,
      leaseMs: 5_000,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    await expect(attempt).rejects.toBeInstanceOf(EventStreamMismatchError);
    const message = await attempt.catch((error: Error) => error.message);
    expect(message).toContain(`must include "${names.prefix}.>"`);
    expect(message).toContain('retention is "workqueue"');
    expect(message).toContain('storage is "memory"');
    expect(message).toContain("duplicate_window is 10000 ms, it must be at least 120000 ms");
  });

  it("fails start-up clearly, within the timeout, when NATS cannot be reached", async () => {
    const port = await freePort();
    const config = natsTestConfig({
      NATS_URL: `nats://127.0.0.1:${port}`,
      NATS_TIMEOUT_MS: "500",
    });
    await expect(
      connectNatsJetStream(config, {
        retry,
        leaseMs: 5_000,
        pollIntervalMs: 50,
        logger: silentLogger,
      }),
    ).rejects.toThrow(`NATS_URL: could not connect to nats://127.0.0.1:${port} within 500 ms`);
  });

  it("publishes to the type's subject with the event id as Nats-Msg-Id; a re-publish is dropped", async () => {
    const registry = new Registry();
    const { fanOut, stream, prefix } = await open("publish", {}, registry);
    const body = eventBody("evt-1", "Transaction.Paid", "pay-1");
    const first = await fanOut.subscriber.deliver({
      eventId: "evt-1",
      eventType: "Transaction.Paid",
      body,
      attempt: 1,
    });
    const second = await fanOut.subscriber.deliver({
      eventId: "evt-1",
      eventType: "Transaction.Paid",
      body,
      attempt: 2,
    });
    expect(first).toEqual({ ok: true, statusCode: null });
    expect(second).toEqual({ ok: true, statusCode: null });
    const messages = await readStream(admin, stream);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      subject: `${prefix}.transaction.paid`,
      msgId: "evt-1",
      body: JSON.parse(body),
    });
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      `portone_bff_nats_publishes_total{stream="${stream}",outcome="stored"} 1`,
    );
    expect(metrics).toContain(
      `portone_bff_nats_publishes_total{stream="${stream}",outcome="duplicate"} 1`,
    );
    expect(metrics).toContain(`portone_bff_nats_connected{stream="${stream}"} 1`);
  });

  it("only wants the events NATS_EVENTS names", async () => {
    const { fanOut } = await open("filter", { NATS_EVENTS: "Transaction.*,PaymentStatusChanged" });
    expect(fanOut.subscriber.wants("Transaction.Paid")).toBe(true);
    expect(fanOut.subscriber.wants("PaymentStatusChanged")).toBe(true);
    expect(fanOut.subscriber.wants("BillingKey.Issued")).toBe(false);
  });

  it("hands events to a durable consumer with explicit acks; a throwing handler gets it again", async () => {
    const { fanOut, stream, prefix } = await open("consume");
    const publish = (id: string, type: string) =>
      fanOut.subscriber.deliver({
        eventId: id,
        eventType: type,
        body: eventBody(id, type, `pay-${id}`),
        attempt: 1,
      });
    await publish("c-1", "Transaction.Paid");
    await publish("c-2", "BillingKey.Issued");
    await publish("c-3", "Transaction.Cancelled");
    // Not an event: published by someone else on our subjects.
    await admin.request(`${prefix}.transaction.paid`, "garbage", { timeout: 3_000 });

    const seen: { id: string; type: string; paymentId: string; deliveryCount: number }[] = [];
    const invalid: string[] = [];
    let failOnce = true;
    const consumption = await consumeEvents(admin, {
      stream,
      subjectPrefix: prefix,
      durable: "fulfilment",
      events: ["Transaction.*"],
      retryDelayMs: 50,
      async handler(event, context) {
        // Typed by the pattern: data.paymentId is a string on every Transaction.* event.
        const paymentId: string = event.data.paymentId;
        if (event.id === "c-3" && failOnce) {
          failOnce = false;
          throw new Error("not yet");
        }
        seen.push({
          id: event.id,
          type: event.type,
          paymentId,
          deliveryCount: context.deliveryCount,
        });
      },
      onInvalidMessage: (reason) => invalid.push(reason),
    });
    await waitFor(() => seen.length >= 2 && invalid.length >= 1, {
      description: "both transaction events handled",
    });
    await consumption.stop();
    expect(seen).toEqual([
      { id: "c-1", type: "Transaction.Paid", paymentId: "pay-c-1", deliveryCount: 1 },
      { id: "c-3", type: "Transaction.Cancelled", paymentId: "pay-c-3", deliveryCount: 2 },
    ]);
    expect(invalid).toEqual(["message is not JSON"]);

    // The durable consumer remembers its acks: a restart gets nothing again.
    const again: string[] = [];
    const restarted = await consumeEvents(admin, {
      stream,
      subjectPrefix: prefix,
      durable: "fulfilment",
      events: ["Transaction.*"],
      handler: async (event) => {
        again.push(event.id);
      },
    });
    await publish("c-4", "Transaction.Paid");
    await waitFor(() => again.length >= 1, { description: "the new event after the restart" });
    await restarted.stop();
    expect(again).toEqual(["c-4"]);
  });
});
