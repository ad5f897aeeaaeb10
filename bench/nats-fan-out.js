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
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
// One secret for the parent (which signs) and the pipelines (which verify), passed down by env.
process.env.BENCH_SECRET ??= randomBytes(32).toString("base64");
const SECRET_BYTES = Buffer.from(process.env.BENCH_SECRET, "base64");
const SECRET = `whsec_${SECRET_BYTES.toString("base64")}`;
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const silent = { info() {}, warn() {}, error() {} };
let sequence = 0;

const role = process.argv[2];
if (role === "--receiver") await runReceiver();
else if (role === "--pipeline") await runPipeline(process.argv[3]);
else await runBenchmark();

async function serveUntilStdinEnds(url, cleanup) {
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.stdin.resume();
  await once(process.stdin, "end");
  await cleanup();
}

/** Child: the HTTP subscriber, answering 204 to every delivery. */
async function runReceiver() {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(204).end());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  await serveUntilStdinEnds(`http://127.0.0.1:${server.address().port}/events`, async () =>
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
  await app.register(webhooks.plugin);
  app.get("/bench/backlog", async () => store.backlog());
  webhooks.start();
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  await serveUntilStdinEnds(url, async () => {
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

async function child(args, env = {}) {
  const process_ = spawn(process.execPath, [SELF, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: process_.stdout });
  const [line] = await once(lines, "line");
  return {
    info: JSON.parse(line),
    async stop() {
      process_.stdin.end();
      await once(process_, "exit");
    },
  };
}

function signedWebhook() {
  const id = `msg_fanout_${process.pid}_${++sequence}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = JSON.stringify({
    type: "Transaction.Paid",
    timestamp: new Date().toISOString(),
    data: { storeId: "store-bench", paymentId: `payment-${sequence}`, transactionId: "tx" },
  });
  const signature = createHmac("sha256", SECRET_BYTES)
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${signature}`,
    },
  };
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
  const receiver = await child(["--receiver"]);
  const targets = [
    {
      name: "HTTP subscriber (signed POST, 204)",
      server: await child(["--pipeline", "http"], { BENCH_RECEIVER_URL: receiver.info.url }),
    },
    { name: "NATS JetStream subscriber (stream ack)", server: await child(["--pipeline", "nats"]) },
  ];
  for (const target of targets) await batch(target.server.info.url, Math.min(500, EVENTS));
  const samples = new Map(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      samples.get(target.name).push(await batch(target.server.info.url, EVENTS));
    }
  }
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
