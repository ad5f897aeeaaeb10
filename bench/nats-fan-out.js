// Fan-out throughput: events per second from signed webhook ingest (POST /webhooks/portone,
// verify, durable insert) through the outbox to the subscriber's acknowledgement, for the NATS
// JetStream subscriber (publish acked by the stream on the local nats-server) vs the HTTP
// subscriber (Standard Webhooks POST to a receiver answering 204). The service pipeline
// (Fastify + SQLite outbox + dispatcher) and the HTTP receiver each run in their own child
// process; the parent posts a batch of webhooks with a fixed concurrency and stops the clock
// when the outbox reports every delivery done. Rounds alternate the variants.
//
//   npm run build && node bench/nats-fan-out.js
//   (NATS_URL, default nats://127.0.0.1:4222; BENCH_EVENTS, BENCH_ROUNDS, BENCH_CONNECTIONS)
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveUntilStdinEnds, startChild } from "./lib/child-process.js";
import { webhookSecret, webhookSigner } from "./lib/signed-webhook.js";
import { environmentLine, fixed, grouped, median, printTable, sampleRounds } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
// One secret for the parent (which signs) and the pipelines (which verify), passed down by env.
process.env.BENCH_SECRET ??= webhookSecret().base64;
const { bytes: SECRET_BYTES, secret: SECRET } = webhookSecret(process.env.BENCH_SECRET);
const signedWebhook = webhookSigner(SECRET_BYTES, "msg_fanout");
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const silent = { info() {}, warn() {}, error() {} };

const role = process.argv[2];
if (role === "--receiver") await runReceiver();
else if (role === "--pipeline") await runPipeline(process.argv[3]);
else await runBenchmark();

/** Child: the HTTP subscriber, answering 204 to every delivery. */
async function runReceiver() {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(204).end());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  await serveUntilStdinEnds({ url: `http://127.0.0.1:${server.address().port}/events` }, async () =>
    server.close(),
  );
}

/** Child: the service's webhook pipeline with one subscriber of the given kind. */
async function runPipeline(kind) {
  const { default: Fastify } = await import("fastify");
  const { openDatabase } = await import("../dist/store/database.js");
  const { openWebhookStore, createWebhooks } = await import("../dist/webhooks/index.js");
  const { loadNatsConfig } = await import("../dist/webhooks/nats/config.js");
  const { connectNatsJetStream } = await import("../dist/webhooks/subscribers/nats-jetstream.js");
  const dataDir = mkdtempSync(join(tmpdir(), "bff-fanout-bench-"));
  const db = await openDatabase({ dataDir });
  const store = await openWebhookStore(db);
  const tuning = { pollIntervalMs: 20, leaseMs: 30_000, deliveryTimeoutMs: 10_000 };
  let nats;
  const stream = `BENCH_FANOUT_${process.pid}`;
  if (kind === "nats") {
    const { config } = loadNatsConfig({
      NATS_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: `bench_${process.pid}`,
    });
    nats = await connectNatsJetStream(config, {
      retry: { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 },
      leaseMs: tuning.leaseMs,
      pollIntervalMs: tuning.pollIntervalMs,
      logger: silent,
    });
  }
  const webhooks = await createWebhooks({
    store,
    secrets: [SECRET],
    subscribers: kind === "http" ? [{ url: process.env.BENCH_RECEIVER_URL, secret: SECRET }] : [],
    extraSubscribers: nats ? [nats.subscriber] : [],
    tuning,
    logger: silent,
  });
  const app = Fastify();
  await app.register(webhooks.publicPlugin);
  app.get("/bench/backlog", async () => store.backlog());
  webhooks.start();
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  await serveUntilStdinEnds({ url }, async () => {
    await app.close();
    await webhooks.stop();
    if (nats) {
      const { jetstreamManager } = await import("@nats-io/jetstream");
      await (await jetstreamManager(nats.connection)).streams.delete(stream);
      await nats.close();
    }
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/** Posts `count` webhooks, then waits until the outbox has nothing left; returns events/s. */
async function batch(url, count) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < count) {
        next++;
        const response = await fetch(`${url}/webhooks/portone`, {
          method: "POST",
          ...signedWebhook(),
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`ingest answered ${response.status}`);
      }
    }),
  );
  for (;;) {
    const backlog = await (await fetch(`${url}/bench/backlog`)).json();
    if (backlog.deadLetters > 0) throw new Error("dead letters during the benchmark");
    if (backlog.pendingEvents === 0 && backlog.pendingDeliveries === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return (count * 1000) / (performance.now() - started);
}

async function runBenchmark() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const receiver = await startChild(SELF, ["--receiver"]);
  const targets = [
    {
      name: "HTTP subscriber (signed POST, 204)",
      server: await startChild(SELF, ["--pipeline", "http"], {
        BENCH_RECEIVER_URL: receiver.info.url,
      }),
    },
    {
      name: "NATS JetStream subscriber (stream ack)",
      server: await startChild(SELF, ["--pipeline", "nats"]),
    },
  ];
  const samples = await sampleRounds(
    targets,
    rounds,
    (target) => batch(target.server.info.url, EVENTS),
    (target) => batch(target.server.info.url, Math.min(500, EVENTS)),
  );
  await Promise.all([...targets.map((target) => target.server.stop()), receiver.stop()]);
  const http = median(samples.get(targets[0].name));
  console.log(
    `### Webhook ingest to subscriber ack, NATS JetStream vs HTTP (${environmentLine()}, ` +
      `SQLite outbox, ${EVENTS} events per batch, ${CONNECTIONS} concurrent posts, ${rounds} rounds, medians)\n`,
  );
  printTable([
    ["subscriber", "events/s (ingest to ack)", "vs HTTP"],
    ...targets.map((target) => {
      const rate = median(samples.get(target.name));
      return [target.name, grouped(rate), `${fixed(rate / http, 2)}x`];
    }),
  ]);
}
