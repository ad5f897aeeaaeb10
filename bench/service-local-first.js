// Local-first reads, side by side in one run, rounds alternating the variants:
//
// 1. payment.get of a settled (PAID) payment through the whole service (tRPC, JWT, rate limit,
//    SQLite record, ownership check, zod output; no PortOne call) vs a bare Fastify route that
//    asks PortOne (here the sandbox) with the official @portone/server-sdk on every request,
//    once as is and once with 50 ms of latency injected in front of getPayment (the sandbox's
//    latency fault). Targets: the service >= 2x the bare proxy's requests/s, and p50 < 3 ms
//    with the 50 ms upstream latency.
// 2. Sandbox mode: payment.get of an open (pay-pending) payment with PAYMENT_SYNC_INTERVAL_MS=0,
//    so every request syncs with the embedded sandbox: the sandbox on the service's own event
//    loop (how sandbox mode ran before) vs in its worker thread (`startFromEnv`, as now).
//
// Every server runs in a child process of its own; autocannon runs here.
//
//   npm run build && node bench/service-local-first.js
//   (BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_CONNECTIONS=10 by default)
//   BENCH_BASELINE=/path/to/other/build/dist adds that build's service (before/after ratios);
//   BENCH_SETTLED_ONLY=1 runs only part 1.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveUntilStdinEnds, startChild } from "./lib/child-process.js";
import { measure } from "./lib/load.js";
import {
  sandboxEnv,
  serveSandboxChild,
  serveServiceChild,
  signBenchToken,
} from "./lib/service-child.js";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const INJECTED_LATENCY_MS = 50;
/** BENCH_CPU_PROF=<dir>: every child (the sandbox too) writes a V8 CPU profile there. */
const profiled = { cpuProfile: true };

/** Child: what a shop would write without the service: official SDK, ask PortOne every time. */
async function runBare() {
  const { default: Fastify } = await import("fastify");
  const { PortOneClient } = await import("@portone/server-sdk");
  const client = PortOneClient({
    secret: process.env.BENCH_API_SECRET,
    baseUrl: process.env.BENCH_PORTONE_URL,
  });
  const app = Fastify();
  app.get("/payments/:paymentId", async (request) =>
    client.payment.getPayment({ paymentId: request.params.paymentId }),
  );
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  await serveUntilStdinEnds({ url }, () => app.close());
}

/** Child: the service in live mode against the standalone sandbox (SQLite records). */
async function runService() {
  // BENCH_BASELINE's service runs from another build (e.g. main's) for a before/after ratio.
  await serveServiceChild({
    dist: process.env.BENCH_DIST ?? new URL("../dist", import.meta.url).pathname,
    dataDirPrefix: "bff-bench-local-first-",
    announceInternalUrl: true,
  });
}

/**
 * Child: the service in sandbox mode. "worker": `startFromEnv`, the embedded sandbox in its
 * thread. "in-process": the sandbox created and listening in the service's own thread, wired
 * like `startFromEnv` did before the thread (same modules, webhooks to the service).
 */
async function runSandboxMode(variant) {
  const dataDir = mkdtempSync(join(tmpdir(), "bff-bench-sandbox-mode-"));
  const env = {
    HOST: "127.0.0.1",
    PORT: "0",
    INTERNAL_PORT: "0",
    SANDBOX_PORT: "0",
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    RATE_LIMIT_MAX: "1000000",
    PAYMENT_SYNC_INTERVAL_MS: "0",
  };
  const done = (url, sandbox, close) =>
    serveUntilStdinEnds(
      { url, sandboxUrl: sandbox.url, apiSecret: sandbox.apiSecret },
      async () => {
        await close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    );
  if (variant === "worker") {
    const { startFromEnv } = await import("../dist/main.js");
    const { Writable } = await import("node:stream");
    const quiet = new Writable({ write: (_chunk, _encoding, next) => next() });
    const running = await startFromEnv(env, { logStream: quiet });
    return done(running.url, running.sandbox, () => running.shutdown());
  }
  const { loadConfig, withPortOne } = await import("../dist/config.js");
  const { buildServer } = await import("../dist/server.js");
  const { createSandbox } = await import("../dist/sandbox/index.js");
  const { webhooksModule } = await import("../dist/webhooks/module.js");
  const config = loadConfig(env);
  const sandbox = await createSandbox({ persistPath: join(dataDir, "sandbox-state.json") });
  const sandboxUrl = await sandbox.listen({ port: 0, host: "127.0.0.1" });
  const service = await buildServer(
    withPortOne(config, {
      apiSecret: sandbox.apiSecret,
      baseUrl: sandboxUrl,
      storeId: sandbox.storeId,
      channelKey: sandbox.channelKey,
      channelType: "TEST",
      webhookSecrets: [sandbox.webhookSecret],
      timeoutMs: config.portone.timeoutMs,
      maxRetries: config.portone.maxRetries,
    }),
    { modules: [webhooksModule()] },
  );
  const url = await service.listen();
  sandbox.setWebhookEndpoints([{ url: `${url}/webhooks/portone` }]);
  return done(url, { url: sandboxUrl, apiSecret: sandbox.apiSecret }, async () => {
    await service.close();
    await sandbox.close();
  });
}

async function trpcOf(serviceUrl, headers = {}) {
  const { createTRPCClient, httpLink } = await import("@trpc/client");
  return createTRPCClient({ links: [httpLink({ url: `${serviceUrl}/trpc`, headers })] });
}

async function sandboxCheckout(sandboxUrl, prepared, outcome) {
  const response = await fetch(`${sandboxUrl}/sandbox/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...prepared, outcome }),
  });
  if (!response.ok) throw new Error(`checkout failed: ${response.status}`);
}

async function setUpstreamLatency(sandboxUrl, ms) {
  const rules = ms > 0 ? [{ kind: "latency", ms, route: "getPayment" }] : [];
  const response = await fetch(`${sandboxUrl}/sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  if (!response.ok) throw new Error(`setting faults failed: ${response.status}`);
}

const getUrl = (base, input) =>
  `${base}/trpc/payment.get?input=${encodeURIComponent(JSON.stringify(input))}`;

async function portoneCallsOfGet(internalUrl) {
  const text = await (await fetch(`${internalUrl}/metrics`)).text();
  const match = text.match(/^portone_calls_by_procedure_total\{procedure="payment\.get"\} (\d+)$/m);
  return match ? Number(match[1]) : Number.NaN;
}

/** Runs every variant once per round (rotated), after one warm-up each; samples by name. */
async function rounds(variants) {
  for (const variant of variants) {
    await variant.before?.();
    await measure(variant.load);
  }
  const samples = new Map(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of rotated(variants, round)) {
      await variant.before?.();
      samples.get(variant.name).push(await measure(variant.load));
    }
  }
  return samples;
}

/** A payment prepared, paid and completed through `service`: settled, so reads stay local. */
async function settledPaymentOf(service, sandbox, headers) {
  const trpc = await trpcOf(service.info.url, headers);
  const orderId = `bench-local-first-${service.pid}`;
  const prepared = await trpc.payment.prepare.mutate({ orderId });
  await sandboxCheckout(sandbox.info.url, prepared, "paid");
  const completed = await trpc.payment.complete.mutate({ paymentId: prepared.paymentId });
  if (completed.status !== "PAID") throw new Error(`expected PAID, got ${completed.status}`);
  return prepared;
}

const med = (list, key) => median(list.map((sample) => sample[key]));

async function settledReads() {
  const sandbox = await startChild(SELF, ["--sandbox"], {}, profiled);
  const upstream = sandboxEnv(sandbox.info);
  const bare = await startChild(SELF, ["--bare"], upstream, profiled);
  const service = await startChild(SELF, ["--service"], upstream, profiled);
  const headers = { authorization: `Bearer ${await signBenchToken()}` };
  const prepared = await settledPaymentOf(service, sandbox, headers);
  const getCallsBefore = await portoneCallsOfGet(service.info.internalUrl);
  // BENCH_BASELINE=<dist directory of another build>: that build's service too (no latency).
  const baseline = process.env.BENCH_BASELINE
    ? await startChild(
        SELF,
        ["--service"],
        { ...upstream, BENCH_DIST: process.env.BENCH_BASELINE },
        profiled,
      )
    : undefined;
  const baselinePayment = baseline && (await settledPaymentOf(baseline, sandbox, headers));

  const common = { connections: CONNECTIONS, seconds: SECONDS };
  const variants = [];
  for (const latency of [0, INJECTED_LATENCY_MS]) {
    const before = () => setUpstreamLatency(sandbox.info.url, latency);
    const suffix = latency > 0 ? `, +${latency} ms upstream` : "";
    variants.push(
      {
        name: `bare Fastify proxy, official SDK${suffix}`,
        latency,
        before,
        load: { ...common, url: `${bare.info.url}/payments/${prepared.paymentId}`, pid: bare.pid },
      },
      {
        name: `service payment.get (settled)${suffix}`,
        latency,
        before,
        load: {
          ...common,
          url: getUrl(service.info.url, { paymentId: prepared.paymentId }),
          headers,
          pid: service.pid,
        },
      },
    );
  }
  if (baseline)
    variants.push({
      name: "baseline service payment.get (settled)",
      latency: 0,
      before: () => setUpstreamLatency(sandbox.info.url, 0),
      load: {
        ...common,
        url: getUrl(baseline.info.url, { paymentId: baselinePayment.paymentId }),
        headers,
        pid: baseline.pid,
      },
    });
  const samples = await rounds(variants);
  const getCalls = (await portoneCallsOfGet(service.info.internalUrl)) - getCallsBefore;
  await Promise.all([bare.stop(), service.stop(), ...(baseline ? [baseline.stop()] : [])]);
  await sandbox.stop();
  return { variants, samples, getCalls };
}

/**
 * Sandbox mode, each way: an open payment read with every request synced (the service and the
 * sandbox both at work on one request), and a settled payment read while a developer's client
 * keeps the sandbox busy (its own API calls): the service's latency should be its own.
 */
async function sandboxModeReads() {
  const variants = [];
  const servers = [];
  for (const variant of ["in-process", "worker"]) {
    const server = await startChild(SELF, ["--sandbox-mode", variant], {}, profiled);
    servers.push(server);
    const { url, sandboxUrl, apiSecret } = server.info;
    const trpc = await trpcOf(url);
    const open = await trpc.payment.prepare.mutate({ orderId: `coffee-open-${variant}` });
    await sandboxCheckout(sandboxUrl, open, "pay-pending");
    const openInput = { paymentId: open.paymentId, guestToken: open.guestToken };
    const view = await trpc.payment.get.query(openInput);
    if (view.status !== "PAY_PENDING") throw new Error(`expected PAY_PENDING, got ${view.status}`);
    const paid = await trpc.payment.prepare.mutate({ orderId: `coffee-paid-${variant}` });
    await sandboxCheckout(sandboxUrl, paid, "paid");
    const paidInput = { paymentId: paid.paymentId, guestToken: paid.guestToken };
    const settled = await trpc.payment.complete.mutate(paidInput);
    if (settled.status !== "PAID") throw new Error(`expected PAID, got ${settled.status}`);
    const where =
      variant === "worker" ? "in a worker thread (now)" : "on the service's thread (before)";
    const common = { connections: CONNECTIONS, seconds: SECONDS, pid: server.pid };
    variants.push(
      {
        name: `open payment, every get synced; sandbox ${where}`,
        scenario: "open",
        load: { ...common, url: getUrl(url, openInput) },
      },
      {
        name: `settled payment get, sandbox busy with ${CONNECTIONS} API clients; sandbox ${where}`,
        scenario: "busy",
        load: {
          ...common,
          url: getUrl(url, paidInput),
          background: {
            url: `${sandboxUrl}/payments/${encodeURIComponent(paid.paymentId)}`,
            headers: { authorization: `PortOne ${apiSecret}` },
            connections: CONNECTIONS,
          },
        },
      },
    );
  }
  const samples = await rounds(variants);
  await Promise.all(servers.map((server) => server.stop()));
  return { variants, samples };
}

async function runBenchmark() {
  const settled = await settledReads();
  const sandboxMode = process.env.BENCH_SETTLED_ONLY ? undefined : await sandboxModeReads();
  const header = `${environmentLine()}, ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s, medians of rounds`;

  console.log(`### payment.get of a settled payment vs a bare proxy (${header})\n`);
  const settledRows = settled.variants.map((variant) => {
    const list = settled.samples.get(variant.name);
    const bareName = settled.variants.find(
      (other) => other.latency === variant.latency && other.name.startsWith("bare"),
    ).name;
    const bareRps = med(settled.samples.get(bareName), "rps");
    const perRound = list.map((sample, round) =>
      fixed(sample.rps / settled.samples.get(bareName)[round].rps, 2),
    );
    return [
      variant.name,
      grouped(med(list, "rps")),
      `${fixed(med(list, "rps") / bareRps, 2)}x (${perRound.join(", ")})`,
      fixed(med(list, "mean"), 2),
      fixed(med(list, "p50"), 1),
      fixed(med(list, "p99"), 1),
      list[0].cpuPerRequestUs === undefined ? "n/a" : grouped(med(list, "cpuPerRequestUs")),
    ];
  });
  printTable([
    [
      "variant",
      "req/s",
      "vs bare proxy (per round)",
      "mean latency (ms)",
      "p50 (ms)",
      "p99 (ms)",
      "CPU/req (µs)",
    ],
    ...settledRows,
  ]);
  console.log(
    `PortOne calls made by payment.get during the service's rounds: ${settled.getCalls}\n`,
  );
  const baselineRounds = settled.samples.get("baseline service payment.get (settled)");
  if (baselineRounds) {
    const now = settled.samples.get("service payment.get (settled)");
    const ratio = (key) =>
      median(now.map((sample, round) => sample[key] / baselineRounds[round][key]));
    console.log(
      `This build vs the baseline build, same rounds: ${fixed(ratio("rps"), 2)}x the req/s, ` +
        `${fixed(ratio("cpuPerRequestUs"), 2)}x the CPU per request.\n`,
    );
  }
  // BENCH_SETTLED_ONLY=1: stop here (the sandbox-mode part measures something else).
  if (process.env.BENCH_SETTLED_ONLY) return;

  console.log(
    `### Sandbox mode, the embedded sandbox before/after its worker thread (${header})\n`,
  );
  printTable([
    ["variant", "req/s", "mean latency (ms)", "p50 (ms)", "p99 (ms)", "process CPU/req (µs)"],
    ...sandboxMode.variants.map((variant) => {
      const list = sandboxMode.samples.get(variant.name);
      return [
        variant.name,
        grouped(med(list, "rps")),
        fixed(med(list, "mean"), 2),
        fixed(med(list, "p50"), 1),
        fixed(med(list, "p99"), 1),
        list[0].cpuPerRequestUs === undefined ? "n/a" : grouped(med(list, "cpuPerRequestUs")),
      ];
    }),
  ]);
  for (const scenario of ["open", "busy"]) {
    const [before, after] = sandboxMode.variants
      .filter((variant) => variant.scenario === scenario)
      .map((variant) => sandboxMode.samples.get(variant.name));
    console.log(
      `${scenario}: worker thread vs same thread: ${fixed(med(after, "rps") / med(before, "rps"), 2)}x req/s, ` +
        `mean latency ${fixed(med(after, "mean") / med(before, "mean"), 2)}x, ` +
        `p99 ${fixed(med(after, "p99") / med(before, "p99"), 2)}x`,
    );
  }
  console.log();
}

// Last, so that every constant above is initialised before a role runs.
const role = process.argv[2];
if (role === "--sandbox") await serveSandboxChild();
else if (role === "--bare") await runBare();
else if (role === "--service") await runService();
else if (role === "--sandbox-mode") await runSandboxMode(process.argv[3]);
else await runBenchmark();
