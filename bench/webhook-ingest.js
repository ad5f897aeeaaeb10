// Signed webhook ingest: POST /webhooks/portone with a unique, correctly signed webhook per
// request, through the service's webhook route (Standard Webhooks verify over the raw body,
// normalise, durable insert unique on webhook-id, then 2xx) on SQLite and on PostgreSQL, vs a
// bare Fastify route that only answers 200 to the same request (the limit). With PostgreSQL
// also the whole pipeline: ingest while the dispatcher (woken by LISTEN/NOTIFY) fans every
// event out to an in-process handler, on one replica and on three replicas sharing one
// database (the load split across them). autocannon on loopback; each server runs in a child
// process so it never shares a thread with the load generator. Rounds rotate the variants.
//
// Per round and variant: events/s, p99 ack latency, and for the pipeline variants the backlog
// left when the load stops (as seconds of ingest), the time to drain it, CPU per event of the
// service processes (ingest + dispatch), CPU per event of their PostgreSQL backends (read from
// /proc when the server is local), and commits per event (pg_stat_database.xact_commit of the
// variant's own database). Each PostgreSQL variant gets a database of its own,
// bench_pg_<random>_<n>, created on the server and dropped at the end. A probe in the same
// rotation times single-row INSERT + COMMIT round trips on one connection: the least each
// acknowledged request waits, so CONNECTIONS / that is the most ingest can reach.
//
//   npm run build && node bench/webhook-ingest.js
//   (PostgreSQL variants when BENCH_DATABASE_URL or TEST_DATABASE_URL is set; BENCH_ROUNDS,
//   BENCH_SECONDS, BENCH_CONNECTIONS; BENCH_CPU_PROF=<dir>: V8 CPU profiles of the children;
//   BENCH_EVENT_SLOTS: the pipeline dispatcher's event slots (maxConcurrentEvents, default 32);
//   BENCH_DEBUG=1: each pipeline round's backlog, drain time and statement times on stderr;
//   BENCH_VARIANTS=bare,sqlite,pg,pg-1,pg-3,probe,floor,floor-3,floor-2-in-flight: only those,
//   e.g. bare,sqlite,pg; the floor variants are not run by default: the least durable ingest
//   route, lib/floor-ingest.js, on one process, on three sharing a database, and on one with two
//   statements in flight, to show what bounds PostgreSQL ingest on this machine)
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { serveUntilStdinEnds, startChild } from "./lib/child-process.js";
import { registerFloorIngest } from "./lib/floor-ingest.js";
import { webhookSecret, webhookSigner } from "./lib/signed-webhook.js";
import { environmentLine, fixed, grouped, median, printTable, sampleRounds } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
process.env.BENCH_SECRET ??= webhookSecret().base64;
const { bytes: SECRET_BYTES, secret: SECRET } = webhookSecret(process.env.BENCH_SECRET);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Backends flush their statistics at most every 10 s while idle (PGSTAT_IDLE_INTERVAL). */
const STATS_SETTLE_MS = 11_000;
const CLOCK_TICKS_PER_SECOND = 100;
/** What an idle replica commits by itself: heartbeats, safety polls (a baseline polls twice a second). */
const IDLE_COMMITS_PER_SECOND = 5;
/** The build under test; children of baseline variants get another one (BENCH_BASELINE_DIST). */
const DIST = process.env.BENCH_DIST ?? new URL("../dist", import.meta.url).href;
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST;
const VARIANTS = new Set(
  (process.env.BENCH_VARIANTS ?? "bare,sqlite,pg,pg-1,pg-3,probe").split(",").map((v) => v.trim()),
);
const signedWebhook = webhookSigner(SECRET_BYTES, "msg_bench");

const role = process.argv[2];
if (role === "--target") await runTarget(process.argv[3]);
else await runBenchmark();

/** Child: one server under test, with /bench/stats for the parent's samples. */
async function runTarget(variant) {
  const { default: Fastify } = await import("fastify");
  const app = Fastify();
  const handled = { count: 0 };
  const statements = {};
  const statementMs = {};
  let store;
  let cleanup = async () => {};
  if (variant === "bare") {
    app.post("/webhooks/portone", async (_request, reply) =>
      reply.code(200).send({ received: true }),
    );
  } else if (variant.startsWith("floor")) {
    const clients = Array.from(
      { length: variant === "floor-2-in-flight" ? 2 : 1 },
      () => new pg.Client({ connectionString: process.env.BENCH_DB_URL, query_timeout: 10_000 }),
    );
    await Promise.all(clients.map((client) => client.connect()));
    await registerFloorIngest(app, clients);
    cleanup = () => Promise.all(clients.map((client) => client.end()));
  } else {
    const { openDatabase } = await import(`${DIST}/store/database.js`);
    const webhooksModule = await import(`${DIST}/webhooks/index.js`);
    const dataDir = mkdtempSync(join(tmpdir(), "bff-webhook-bench-"));
    const db = await openDatabase({ databaseUrl: process.env.BENCH_DB_URL || undefined, dataDir });
    store = await webhooksModule.openWebhookStore(db);
    if (db.kind === "postgres") countStatements(db.pool, statements, statementMs);
    let stopDispatch = async () => {};
    if (variant === "pipeline") stopDispatch = await startPipeline(app, db, store, handled);
    else await app.register(webhooksModule.webhookRoute, { secrets: [SECRET], store });
    cleanup = async () => {
      await stopDispatch();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  app.get("/bench/stats", async () => {
    const { user, system } = process.cpuUsage();
    return {
      cpuMicros: user + system,
      handled: handled.count,
      statements,
      statementMs,
      backlog: await store?.backlog(),
    };
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  await serveUntilStdinEnds({ url }, async () => {
    await app.close();
    await cleanup();
  });
}

/** Counts the pool's statements by their first words (what the commits per event are made of). */
function countStatements(pool, counts, inFlightMs) {
  const query = pool.query.bind(pool);
  pool.query = (text, ...rest) => {
    const sql = typeof text === "string" ? text : text.text;
    const kind = text.name ?? sql.replace(/\s+/g, " ").trim().split(" ").slice(0, 4).join(" ");
    counts[kind] = (counts[kind] ?? 0) + 1;
    const started = performance.now();
    const result = query(text, ...rest);
    result?.finally?.(() => {
      inFlightMs[kind] = (inFlightMs[kind] ?? 0) + performance.now() - started;
    });
    return result;
  };
}

/** The service's webhook pipeline with its production defaults and a handler for every event. */
async function startPipeline(app, db, store, handled) {
  const { createWebhooks, postgresWorkNotifications } = await import(`${DIST}/webhooks/index.js`);
  const silent = { info() {}, warn() {}, error() {} };
  const webhooks = await createWebhooks({
    store,
    secrets: [SECRET],
    sandbox: false,
    // A baseline build from before LISTEN/NOTIFY polls instead.
    ...(postgresWorkNotifications
      ? {
          notifications: postgresWorkNotifications({
            clientConfig: db.clientConfig,
            logger: silent,
          }),
        }
      : {}),
    logger: silent,
    ...(process.env.BENCH_EVENT_SLOTS
      ? { tuning: { maxConcurrentEvents: Number(process.env.BENCH_EVENT_SLOTS) } }
      : {}),
  });
  webhooks.on("*", () => {
    handled.count++;
  });
  await app.register(webhooks.publicPlugin);
  webhooks.start();
  return () => webhooks.stop();
}

/** Splits the connections over the target's servers and sums what they served. */
async function load(servers) {
  const share = (index) =>
    Math.floor(CONNECTIONS / servers.length) + (index < CONNECTIONS % servers.length ? 1 : 0);
  const results = await Promise.all(
    servers.map(
      (server, index) =>
        new Promise((resolve, reject) => {
          autocannon(
            {
              url: `${server.info.url}/webhooks/portone`,
              connections: share(index),
              duration: SECONDS,
              requests: [
                { setupRequest: (request) => ({ ...request, method: "POST", ...signedWebhook() }) },
              ],
            },
            (error, result) => (error ? reject(error) : resolve(result)),
          );
        }),
    ),
  );
  for (const result of results) {
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    rps: results.reduce((sum, result) => sum + result.requests.average, 0),
    p99: Math.max(...results.map((result) => result.latency.p99)),
  };
}

async function stats(server) {
  return (await fetch(`${server.info.url}/bench/stats`)).json();
}

async function sum(target, read) {
  const all = await Promise.all(target.servers.map(stats));
  return all.reduce((total, one) => total + read(one), 0);
}

/** CPU, handled events and (PostgreSQL) commits and backend CPU of one target, right now. */
async function snapshot(target, admin) {
  const all = await Promise.all(target.servers.map(stats));
  const statements = {};
  const statementMs = {};
  for (const one of all) {
    for (const [kind, count] of Object.entries(one.statements ?? {})) {
      statements[kind] = (statements[kind] ?? 0) + count;
    }
    for (const [kind, ms] of Object.entries(one.statementMs ?? {})) {
      statementMs[kind] = (statementMs[kind] ?? 0) + ms;
    }
  }
  const snap = {
    cpuMicros: all.reduce((total, one) => total + one.cpuMicros, 0),
    handled: all.reduce((total, one) => total + one.handled, 0),
    statements,
    statementMs,
  };
  if (!target.database) return snap;
  const { rows } = await admin.query(
    "SELECT xact_commit::bigint AS commits FROM pg_stat_database WHERE datname = $1",
    [target.database],
  );
  const backends = await admin.query(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
    [target.database],
  );
  return {
    ...snap,
    commits: Number(rows[0].commits),
    backendMicros: backendCpuMicros(backends.rows.map((row) => row.pid)),
  };
}

/** utime + stime per local PostgreSQL backend from /proc; null when the server is remote. */
function backendCpuMicros(pids) {
  const byPid = new Map();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      byPid.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND);
    } catch {
      return null;
    }
  }
  return byPid;
}

/** CPU the backends alive at the end used since `before` (a backend that is new started at 0). */
function backendCpuSince(before, after) {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
}

async function waitForDrain(target) {
  const started = performance.now();
  for (;;) {
    const { backlog } = await stats(target.servers[0]);
    if (backlog.deadLetters > 0) throw new Error(`${target.name}: dead letters`);
    if (backlog.pendingEvents + backlog.pendingDeliveries === 0) break;
    if (performance.now() - started > 300_000) throw new Error(`${target.name}: no drain in 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return performance.now() - started;
}

/**
 * Each backend's CPU at its last read: a pooled connection left idle while the statistics
 * settle is closed after 30 s, and what its backend used must still count.
 */
function withEarlierBackends(earlier, later) {
  if (!earlier || !later) return later;
  return new Map([...earlier, ...later]);
}

/**
 * Commits settle once every backend flushed its statistics: read until two reads agree, but
 * for the few an idle replica makes itself (IDLE_COMMITS_PER_SECOND).
 */
async function settledSnapshot(target, admin, earlierBackends = new Map()) {
  let last = await snapshot(target, admin);
  last.backendMicros = withEarlierBackends(earlierBackends, last.backendMicros);
  for (let reads = 0; reads < 5; reads++) {
    await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
    const next = await snapshot(target, admin);
    next.backendMicros = withEarlierBackends(last.backendMicros, next.backendMicros);
    const idleCommits = (IDLE_COMMITS_PER_SECOND * target.servers.length * STATS_SETTLE_MS) / 1000;
    if (next.commits - last.commits <= idleCommits) return next;
    last = next;
  }
  throw new Error(`${target.name}: commits did not settle`);
}

/**
 * What every acknowledged request waits for at least: one single-row INSERT and its COMMIT
 * (synchronous_commit as configured, so a WAL flush) on one connection, back to back for a
 * round's length, in its own table of the ingest-only variant's database.
 */
async function probeCommits(target) {
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(
      "CREATE TABLE IF NOT EXISTS bench_commit_probe (id text PRIMARY KEY, data text NOT NULL)",
    );
    const latencies = [];
    const until = performance.now() + SECONDS * 1000;
    while (performance.now() < until) {
      const started = performance.now();
      await client.query("INSERT INTO bench_commit_probe VALUES ($1, $2)", [
        randomBytes(12).toString("hex"),
        "x".repeat(300),
      ]);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { rps: latencies.length / SECONDS, commitMs: at(0.5), commitP90Ms: at(0.9) };
  } finally {
    await client.end();
  }
}

/** One round of one target. */
async function measure(target, admin) {
  if (target.probe) return probeCommits(target);
  const before = target.pipeline
    ? await settledSnapshot(target, admin)
    : await snapshot(target, admin);
  const { rps, p99 } = await load(target.servers);
  const sample = { rps, p99 };
  if (!target.pipeline) {
    const after = await snapshot(target, admin);
    const events = rps * SECONDS;
    const backend = backendCpuSince(before.backendMicros, after.backendMicros);
    return {
      ...sample,
      cpuPerEvent: (after.cpuMicros - before.cpuMicros) / events,
      backendCpuPerEvent: backend === null ? null : backend / events,
      statementsPerEvent: perEvent(before.statements, after.statements, events),
      inserts: insertTiming(before, after, target.servers.length),
    };
  }
  const { backlog } = await stats(target.servers[0]);
  const pending = backlog.pendingEvents + backlog.pendingDeliveries;
  const drainMs = await waitForDrain(target);
  const drained = await snapshot(target, admin);
  const after = await settledSnapshot(target, admin, drained.backendMicros);
  const events = after.handled - before.handled;
  const backend = backendCpuSince(before.backendMicros, after.backendMicros);
  if (process.env.BENCH_DEBUG) printRound(target, backlog, drainMs, before, after);
  return {
    ...sample,
    backlogEvents: backlog.pendingEvents,
    backlogSeconds: pending / rps,
    drainMs,
    cpuPerEvent: (after.cpuMicros - before.cpuMicros) / events,
    backendCpuPerEvent: backend === null ? null : backend / events,
    commitsPerEvent: (after.commits - before.commits) / events,
    statementsPerEvent: perEvent(before.statements, after.statements, events),
  };
}

/**
 * BENCH_DEBUG: a pipeline round's backlog when the load stopped, its drain time, and each
 * statement kind's count and mean time from the pool's call to its answer (which includes the
 * wait for a busy event loop, so it is no measure of the database's own time).
 */
function printRound(target, backlog, drainMs, before, after) {
  const timing = Object.fromEntries(
    Object.keys(after.statements).map((kind) => {
      const count = after.statements[kind] - (before.statements[kind] ?? 0);
      const ms = after.statementMs[kind] - (before.statementMs[kind] ?? 0);
      return [kind, `${count} x ${fixed(ms / count, 2)} ms`];
    }),
  );
  console.error(
    `${target.name}: backlog ${JSON.stringify(backlog)}, drained in ${fixed(drainMs, 0)} ms, ` +
      `statements ${JSON.stringify(timing)}`,
  );
}

/** How long an insert batch statement took, and the share of the round one was in flight per server. */
function insertTiming(before, after, servers) {
  const kind = Object.keys(after.statements).find((name) =>
    /^(webhooks-turn-insert|webhooks-insert-events|INSERT INTO webhook_events)/.test(name),
  );
  if (!kind) return null;
  const ms = after.statementMs[kind] - (before.statementMs[kind] ?? 0);
  const count = after.statements[kind] - (before.statements[kind] ?? 0);
  return { msEach: ms / count, inFlight: ms / (servers * SECONDS * 1000) };
}

function perEvent(before, after, events) {
  return Object.fromEntries(
    Object.entries(after).map(([kind, count]) => [
      kind,
      Number(((count - (before[kind] ?? 0)) / events).toFixed(3)),
    ]),
  );
}

async function createDatabases(admin, count) {
  const prefix = `bench_pg_${randomBytes(4).toString("hex")}`;
  const names = Array.from({ length: count }, (_, index) => `${prefix}_${index + 1}`);
  for (const name of names) await admin.query(`CREATE DATABASE ${name}`);
  const urlOf = (name) => {
    const url = new URL(SERVER_URL);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return { names, urlOf };
}

/** Every event stored was handled once, and every event and delivery on its first attempt. */
async function checkExactlyOnce(target, urlOf) {
  const client = new pg.Client({ connectionString: urlOf(target.database) });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM webhook_events)::int AS events,
              (SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered')::int AS delivered,
              (SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1)::int
                + (SELECT count(*) FROM webhook_events WHERE attempts <> 1)::int AS retried`,
    );
    const handled = await sum(target, (one) => one.handled);
    const { events, delivered, retried } = rows[0];
    if (handled !== events || delivered !== events || retried !== 0) {
      throw new Error(
        `${target.name}: ${events} events, ${delivered} delivered, ${handled} handled, ${retried} retried`,
      );
    }
    return events;
  } finally {
    await client.end();
  }
}

async function startTargets(databases) {
  const start = async (variant, database) => {
    const child = await startChild(
      SELF,
      ["--target", variant],
      database ? { BENCH_DB_URL: databases.urlOf(database) } : {},
      { cpuProfile: true },
    );
    if (process.env.BENCH_CPU_PROF) console.error(`profiling ${variant} as pid ${child.pid}`);
    return child;
  };
  // The bare route is every run's limit, so it always runs.
  const targets = [
    { name: "bare Fastify route answering 200 (limit)", servers: [await start("bare")] },
  ];
  if (VARIANTS.has("sqlite"))
    targets.push({ name: "webhook ingest, SQLite (WAL)", servers: [await start("sqlite")] });
  if (!databases) return targets;
  targets.push(...(await postgresTargets(databases.names.slice(0, 3), start, "")));
  if (VARIANTS.has("probe")) {
    targets.push({
      name: "PostgreSQL INSERT + COMMIT round trip, 1 connection (probe)",
      servers: [],
      probe: true,
      url: databases.urlOf(databases.names[0]),
    });
  }
  targets.push(...(await floorTargets(databases.names.slice(-3), start)));
  if (BASELINE_DIST) {
    const baseline = (variant, database) =>
      startChild(SELF, ["--target", variant], {
        BENCH_DB_URL: databases.urlOf(database),
        BENCH_DIST: pathToFileURL(BASELINE_DIST).href,
      });
    targets.push(...(await postgresTargets(databases.names.slice(3, 6), baseline, " (baseline)")));
  }
  return targets;
}

/**
 * The least durable ingest (lib/floor-ingest.js): on one process, on one with two statements in
 * flight, and on three processes sharing a database (the load split as for the replicas).
 */
async function floorTargets([single, triple, double], start) {
  const targets = [];
  if (VARIANTS.has("floor")) {
    targets.push({
      name: "least durable insert route, 1 replica (floor)",
      servers: [await start("floor", single)],
      database: single,
    });
  }
  if (VARIANTS.has("floor-2-in-flight")) {
    targets.push({
      name: "least durable insert route, 1 replica, 2 statements in flight (floor)",
      servers: [await start("floor-2-in-flight", double)],
      database: double,
    });
  }
  if (VARIANTS.has("floor-3")) {
    targets.push({
      name: "least durable insert route, 3 replicas (floor)",
      servers: await Promise.all([1, 2, 3].map(() => start("floor", triple))),
      database: triple,
    });
  }
  return targets;
}

async function postgresTargets([ingestOnly, single, triple], start, suffix) {
  const targets = [];
  if (VARIANTS.has("pg")) {
    targets.push({
      name: `webhook ingest, PostgreSQL${suffix}`,
      servers: [await start("postgres", ingestOnly)],
      database: ingestOnly,
    });
  }
  if (VARIANTS.has("pg-1")) {
    targets.push({
      name: `PostgreSQL ingest + dispatch, 1 replica${suffix}`,
      servers: [await start("pipeline", single)],
      database: single,
      pipeline: true,
    });
  }
  if (VARIANTS.has("pg-3")) {
    targets.push({
      // Started together: their migrations race and must serialise.
      name: `PostgreSQL ingest + dispatch, 3 replicas${suffix}`,
      servers: await Promise.all([1, 2, 3].map(() => start("pipeline", triple))),
      database: triple,
      pipeline: true,
    });
  }
  return targets;
}

async function runBenchmark() {
  let admin;
  let databases;
  if (SERVER_URL) {
    admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    databases = await createDatabases(admin, (BASELINE_DIST ? 6 : 3) + 3);
  } else {
    console.error("PostgreSQL variants skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
  }
  let targets = [];
  try {
    targets = await startTargets(databases);
    const warmUp = async (target) => {
      if (target.probe) return;
      await load(target.servers);
      if (target.pipeline) await waitForDrain(target);
    };
    const samples = await sampleRounds(targets, ROUNDS, (target) => measure(target, admin), warmUp);
    const checked = [];
    for (const target of targets.filter((candidate) => candidate.pipeline)) {
      checked.push(`${target.name}: ${grouped(await checkExactlyOnce(target, databases.urlOf))}`);
    }
    report(targets, samples, checked);
  } finally {
    await Promise.all(targets.flatMap((target) => target.servers.map((server) => server.stop())));
    for (const name of databases?.names ?? [])
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  }
}

function report(targets, samples, checked) {
  const limit = median(samples.get(targets[0].name).map((sample) => sample.rps));
  const measured = targets.filter((target) => !target.probe);
  console.log(
    `### Signed webhook ingest vs a bare route (${environmentLine()}, ${CONNECTIONS} connections, ` +
      `${ROUNDS} rounds x ${SECONDS} s, medians; per round in brackets)\n`,
  );
  const of = (target, key) => samples.get(target.name).map((sample) => sample[key]);
  const cell = (values, format) =>
    values.some((value) => value === undefined || value === null)
      ? "-"
      : `${format(median(values))} (${values.map(format).join(", ")})`;
  printTable([
    [
      "variant",
      "events/s",
      "vs limit",
      "p99 ack ms",
      "backlog at end (s of ingest)",
      "drain s",
      "CPU µs/event (service)",
      "CPU µs/event (PG backends)",
      "commits/event",
    ],
    ...measured.map((target) => [
      target.name,
      grouped(median(of(target, "rps"))),
      cell(of(target, "rps"), (rps) => `${fixed((100 * rps) / limit, 1)}%`),
      fixed(median(of(target, "p99")), 1),
      cell(of(target, "backlogSeconds"), (value) => fixed(value, 2)),
      cell(of(target, "drainMs"), (value) => fixed(value / 1000, 2)),
      cell(of(target, "cpuPerEvent"), (value) => fixed(value, 0)),
      cell(of(target, "backendCpuPerEvent"), (value) => fixed(value, 0)),
      cell(of(target, "commitsPerEvent"), (value) => fixed(value, 2)),
    ]),
  ]);
  for (const triple of targets.filter((target) => target.name.includes("3 replicas"))) {
    const single = targets.find(
      (target) => target.name === triple.name.replace("3 replicas", "1 replica"),
    );
    if (!single) continue;
    const ratio = (key) => median(of(triple, key)) / median(of(single, key));
    console.log(
      `${triple.name} vs 1: CPU per event ${fixed(ratio("cpuPerEvent"), 2)}x (service), ` +
        `${fixed(ratio("backendCpuPerEvent"), 2)}x (PG backends); events/s ${fixed(ratio("rps"), 2)}x`,
    );
  }
  for (const target of targets.filter((candidate) => candidate.database && !candidate.pipeline)) {
    const inserts = of(target, "inserts");
    if (inserts.some((one) => !one)) continue;
    console.log(
      `${target.name}: an insert batch statement took ${cell(
        inserts.map((one) => one.msEach),
        (ms) => fixed(ms, 2),
      )} ms; ` +
        `one was in flight ${cell(
          inserts.map((one) => 100 * one.inFlight),
          (pct) => `${fixed(pct, 0)}%`,
        )} of the time`,
    );
  }
  for (const target of targets.filter((candidate) => candidate.database)) {
    const last = samples.get(target.name).at(-1);
    console.log(
      `${target.name}, statements per event (last round): ${JSON.stringify(last.statementsPerEvent)}`,
    );
  }
  for (const probe of targets.filter((target) => target.probe)) {
    const commitMs = of(probe, "commitMs");
    // Each of the connections waits for one commit at least per acknowledged webhook.
    const bound = (CONNECTIONS * 1000) / median(commitMs);
    console.log(
      `${probe.name}: median ${cell(commitMs, (ms) => fixed(ms, 2))} ms, p90 ` +
        `${cell(of(probe, "commitP90Ms"), (ms) => fixed(ms, 2))} ms; at ${CONNECTIONS} connections ` +
        `ingest is bounded by ${CONNECTIONS} / median = ${grouped(bound)} events/s ` +
        `(${fixed((100 * bound) / limit, 1)}% of the limit)`,
    );
  }
  console.log(
    `Every event handled exactly once, first attempt (events checked): ${checked.join("; ")}`,
  );
}
