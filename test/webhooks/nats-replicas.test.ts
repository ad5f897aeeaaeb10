import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandbox, serviceEnv, startSandbox } from "../service/support/harness.js";
import { waitFor } from "../support/wait-for.js";
import {
  deleteStream,
  NATS_TEST_URL,
  natsAvailable,
  readStream,
  streamMessageCount,
  uniqueStream,
} from "./support/nats.js";
import { sendBurstToReplicas, startThreeReplicas } from "./support/replica-burst.js";
import type { ServiceProcess } from "./support/service-process.js";
import { TEST_DATABASE_URL, temporaryPostgresSchema } from "./support/test-databases.js";

const available = await natsAvailable();

/**
 * Three service processes on one PostgreSQL publish to one stream (each checks it at start,
 * one of them creates it): PortOne's webhooks land on any of them, several times, yet each
 * event is on the stream once.
 */
describe.skipIf(!available || !TEST_DATABASE_URL)("three replicas publishing to one stream", () => {
  const { stream, prefix } = uniqueStream("replicas");
  let sandbox: RunningSandbox;
  let dropSchema: (() => Promise<void>) | undefined;
  let nc: NatsConnection;
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    if (!TEST_DATABASE_URL) return;
    sandbox = await startSandbox();
    const schema = await temporaryPostgresSchema(TEST_DATABASE_URL);
    dropSchema = schema.cleanup;
    const env = serviceEnv(sandbox, undefined, {
      DATABASE_URL: schema.url,
      LOG_LEVEL: "info",
      WEBHOOK_RETRY_BASE_MS: "50",
      WEBHOOK_RETRY_MAX_MS: "300",
      WEBHOOK_LEASE_MS: "10000",
      WEBHOOK_DELIVERY_TIMEOUT_MS: "3000",
      WEBHOOK_POLL_INTERVAL_MS: "50",
      RECONCILE_INTERVAL_MS: "0",
      NATS_URL: NATS_TEST_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: prefix,
    });
    // Started together: they race to create the stream and must all accept the winner's.
    replicas.push(...(await startThreeReplicas(env)));
    nc = await connect({ servers: NATS_TEST_URL, timeout: 3_000 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await sandbox?.sandbox.close();
    await dropSchema?.();
    await nc?.close();
    await deleteStream(NATS_TEST_URL, stream);
  });

  it("puts each event on the stream once", async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `msg_nats_replica_${i}_${Date.now()}`);
    const statuses = await sendBurstToReplicas(replicas, sandbox.sandbox.webhookSecret, ids);
    expect(statuses.every((status) => status === 200)).toBe(true);

    await waitFor(async () => (await streamMessageCount(nc, stream)) >= ids.length, {
      description: "every event on the stream",
      timeoutMs: 60_000,
    });
    // A moment for any late duplicate to show up, had one slipped past the outbox and the stream.
    const published = async () =>
      Promise.all(
        replicas.map(async (replica) => {
          const text = await (await fetch(`${replica.internalUrl}/metrics`)).text();
          const count = (outcome: string) =>
            Number(
              new RegExp(
                `portone_bff_nats_publishes_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
              ).exec(text)?.[1] ?? 0,
            );
          return { stored: count("stored"), duplicate: count("duplicate") };
        }),
      );
    let perReplica: { stored: number; duplicate: number }[] = [];
    await waitFor(
      async () => {
        perReplica = await published();
        return perReplica.reduce((sum, r) => sum + r.stored, 0) >= ids.length;
      },
      { description: "every publish counted" },
    );
    const messages = await readStream(nc, stream);
    expect(messages).toHaveLength(ids.length);
    expect(messages.map((m) => m.msgId).sort()).toEqual([...ids].sort());
    // The outbox handed each delivery to one replica: nothing had to be dropped by the stream...
    expect(perReplica.reduce((sum, r) => sum + r.stored, 0)).toBe(ids.length);
    expect(perReplica.reduce((sum, r) => sum + r.duplicate, 0)).toBe(0);
    // ...and the work was shared.
    expect(perReplica.filter((r) => r.stored > 0).length).toBeGreaterThanOrEqual(2);
    // Each replica created or checked the stream before it started (two may both "create" it:
    // JetStream accepts an identical create as a no-op).
    for (const replica of replicas) {
      expect(replica.output.join("")).toMatch(
        /(created the NATS event stream|NATS event stream checked)/,
      );
    }
  }, 150_000);
});
