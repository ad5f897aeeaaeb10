// Signed webhook ingest: POST /webhooks/portone with a unique, correctly signed webhook per
// request, through the service's webhook route (Standard Webhooks verify over the raw body,
// normalise, durable insert unique on webhook-id, then 2xx) on SQLite and on PostgreSQL, vs a
// bare Fastify route that only answers 200 to the same request (the limit). autocannon on
// loopback; each server runs in a child process so it never shares a thread with the load
// generator. Rounds alternate the variants. Target: SQLite ingest >= 40% of the limit.
//
//   npm run build && node bench/webhook-ingest.js
//   (PostgreSQL variant when BENCH_DATABASE_URL or TEST_DATABASE_URL is set)
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
const SECRET_BYTES = randomBytes(32);
const SECRET = `whsec_${SECRET_BYTES.toString("base64")}`;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
let sequence = 0;

const role = process.argv[2];
if (role === "--target") await runTarget(process.argv[3]);
else await runBenchmark();

/** Child: one server under test. Prints its URL as one JSON line; stops when stdin ends. */
async function runTarget(variant) {
  const { default: Fastify } = await import("fastify");
  const app = Fastify();
  let cleanup = async () => {};
  if (variant === "bare") {
    app.post("/webhooks/portone", async (_request, reply) =>
      reply.code(200).send({ received: true }),
    );
  } else {
    const { openDatabase } = await import("../dist/store/database.js");
    const { openWebhookStore, webhookRoute } = await import("../dist/webhooks/index.js");
    const dataDir = mkdtempSync(join(tmpdir(), "bff-webhook-bench-"));
    let databaseUrl;
    let dropSchema = async () => {};
    if (variant === "postgres") {
      const { default: pg } = await import("pg");
      const schema = `webhook_bench_${process.pid}`;
      const admin = new pg.Client({ connectionString: process.env.BENCH_PG_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(process.env.BENCH_PG_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      databaseUrl = url.toString();
      dropSchema = async () => {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      };
    }
    const db = await openDatabase({ databaseUrl, dataDir });
    const store = await openWebhookStore(db);
    await app.register(webhookRoute, { secrets: [process.env.BENCH_SECRET], store });
    cleanup = async () => {
      await db.close();
      await dropSchema();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  // Flowing, so that "end" fires when the parent closes the pipe (or dies).
  process.stdin.resume();
  await once(process.stdin, "end");
  await app.close();
  await cleanup();
}

async function child(args, env = {}) {
  const process_ = spawn(process.execPath, [SELF, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: process_.stdout });
  const [line] = await once(lines, "line");
  lines.on("line", () => {});
  return {
    info: JSON.parse(line),
    async stop() {
      process_.stdin.end();
      await once(process_, "exit");
    },
  };
}

/** Every request is a new webhook (fresh id), signed the way PortOne signs it. */
function signedRequest(request) {
  const id = `msg_bench_${process.pid}_${++sequence}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const body = JSON.stringify({
    type: "Transaction.Paid",
    timestamp: new Date().toISOString(),
    data: {
      storeId: "store-bench",
      paymentId: `payment-${sequence}`,
      transactionId: `tx-${sequence}`,
    },
  });
  const signature = createHmac("sha256", SECRET_BYTES)
    .update(`${id}.${timestamp}.${body}`)
    .digest("base64");
  return {
    ...request,
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${signature}`,
    },
  };
}

function load(url) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/webhooks/portone`,
        connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
        duration: Number(process.env.BENCH_SECONDS ?? 8),
        requests: [{ setupRequest: signedRequest }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function runBenchmark() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const env = { BENCH_SECRET: SECRET, BENCH_PG_URL: DATABASE_URL ?? "" };
  const targets = [
    {
      name: "bare Fastify route answering 200 (limit)",
      server: await child(["--target", "bare"], env),
    },
    { name: "webhook ingest, SQLite (WAL)", server: await child(["--target", "sqlite"], env) },
  ];
  if (DATABASE_URL) {
    targets.push({
      name: "webhook ingest, PostgreSQL",
      server: await child(["--target", "postgres"], env),
    });
  } else {
    console.error("PostgreSQL variant skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
  }

  const check = (target, result) => {
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  };
  // Warm-up: JIT, connection pools, page caches.
  for (const target of targets) check(target, await load(target.server.info.url));
  const samples = new Map(targets.map((target) => [target.name, { rps: [], p99: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      const result = await load(target.server.info.url);
      check(target, result);
      samples.get(target.name).rps.push(result.requests.average);
      samples.get(target.name).p99.push(result.latency.p99);
    }
  }
  await Promise.all(targets.map((target) => target.server.stop()));

  const limit = median(samples.get(targets[0].name).rps);
  console.log(
    `### Signed webhook ingest vs a bare route (${environmentLine()}, ` +
      `${process.env.BENCH_CONNECTIONS ?? 10} connections, ${rounds} rounds x ` +
      `${process.env.BENCH_SECONDS ?? 8} s, medians)\n`,
  );
  printTable([
    ["variant", "events/s", "p99 ack latency (ms)", "throughput vs limit"],
    ...targets.map((target) => {
      const { rps, p99 } = samples.get(target.name);
      return [
        target.name,
        grouped(median(rps)),
        fixed(median(p99), 1),
        `${fixed((100 * median(rps)) / limit, 1)}%`,
      ];
    }),
  ]);
}
