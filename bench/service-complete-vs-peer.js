// A fresh `payment.complete` (a new paid payment every request, so PortOne is always called)
// and `payment.get` through the whole service, against the hand-written peer a shop would use
// instead (bench/lib/peer-route.js: Fastify + @portone/server-sdk, fetch the payment, compare
// the amount with the order's, mark it paid), once with its orders in a Map and once in SQLite. The service runs twice, at LOG_LEVEL=warn and at info, to price
// request logging.
//
// One standalone sandbox serves every variant from its own process, and so does each server
// under test: their CPU is read from /proc/<pid>/stat before and after each load, so CPU per
// request is the server's alone. Before a round, every variant gets its own supply of paid
// payments (the service's prepared through its `payment.prepare`, the peer's registered as its
// orders); autocannon then sends each of them exactly once. Rounds rotate the variants.
// Targets: the service's complete at >= 1.0x the peer's requests/s at <= its CPU per request;
// LOG_LEVEL=info within 10 points of warn.
//
//   npm run build && node bench/service-complete-vs-peer.js
//   BENCH_ROUNDS=5 BENCH_REQUESTS=3000 (completes per round) BENCH_GET_REQUESTS=20000 (gets per
//   round: a get costs a third of a complete, and 3,000 of them last half a second, too short
//   for a 10-point question) BENCH_CONNECTIONS=10 (defaults); BENCH_CPU_PROF=<dir>
//   BENCH_BASELINE=/path/to/other/build/dist adds that build's service, with and without the
//   webhooks module (before/after ratios)
import { fileURLToPath } from "node:url";
import { cpuMsOf, serveUntilStdinEnds, startChild } from "./lib/child-process.js";
import {
  sandboxEnv,
  serveSandboxChild,
  serveServiceChild,
  signBenchToken,
} from "./lib/service-child.js";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
const ORDER_AMOUNT = 25_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const GET_REQUESTS = Number(process.env.BENCH_GET_REQUESTS ?? 20_000);
const requestsOf = (variant) => (variant.kind === "get" ? GET_REQUESTS : REQUESTS);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** BENCH_CPU_PROF profiles the servers under test, not the sandbox. */
const profiled = { cpuProfile: true };
const PEER_MAP = "peer (Map orders)";
const PEER_SQLITE = "peer (SQLite orders)";

const role = process.argv[2];
if (role === "--sandbox") await serveSandboxChild();
else if (role === "--target") await runTarget(process.argv[3]);
else await runBenchmark();

async function runTarget(variant) {
  const portone = {
    apiSecret: process.env.BENCH_API_SECRET,
    baseUrl: process.env.BENCH_PORTONE_URL,
    storeId: process.env.BENCH_STORE_ID,
    channelKey: process.env.BENCH_CHANNEL_KEY,
  };
  if (variant === "peer" || variant === "peer-sqlite") {
    const { buildPeerApp } = await import("./lib/peer-route.js");
    const app = buildPeerApp(portone, { orders: variant === "peer-sqlite" ? "sqlite" : "map" });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return serveUntilStdinEnds({ url }, () => app.close());
  }
  // BENCH_BASELINE's service runs from another build (e.g. main's) for a before/after ratio.
  await serveServiceChild({
    dist: process.env.BENCH_DIST ?? new URL("../dist", import.meta.url).pathname,
    logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
    orderAmount: ORDER_AMOUNT,
    webhooks: process.env.BENCH_WEBHOOKS === "1",
  });
}

/** Pays `paymentId` in the sandbox, as the browser's checkout would. */
async function payInSandbox(sandbox, payment) {
  const response = await fetch(`${sandbox.url}/sandbox/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...payment, outcome: "paid" }),
  });
  if (!response.ok) throw new Error(`checkout failed: ${response.status} ${await response.text()}`);
}

/** `count` paid payments the service prepared (each of its own order). */
async function paidServicePayments(sandbox, trpc, prefix, count) {
  const ids = [];
  const orderIds = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await forEachConcurrently(orderIds, 10, async (orderId) => {
    const prepared = await trpc.payment.prepare.mutate({ orderId });
    await payInSandbox(sandbox, prepared);
    ids.push(prepared.paymentId);
  });
  return ids;
}

/** `count` paid payments registered as the peer's orders. */
async function paidPeerPayments(sandbox, peerUrl, prefix, count) {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await forEachConcurrently(ids, 10, (paymentId) =>
    payInSandbox(sandbox, {
      storeId: sandbox.storeId,
      channelKey: sandbox.channelKey,
      paymentId,
      orderName: "Benchmark order",
      totalAmount: ORDER_AMOUNT,
      currency: "KRW",
    }),
  );
  const response = await fetch(`${peerUrl}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      orders: ids.map((paymentId) => ({ paymentId, amount: ORDER_AMOUNT, currency: "KRW" })),
    }),
  });
  if (!response.ok) throw new Error(`peer orders: ${response.status}`);
  return ids;
}

/**
 * Sends `requests` requests over `CONNECTIONS` connections; `nextRequest()` gives each its
 * method, path and body. Counts answers that are not 2xx or do not say PAID.
 */
async function load(url, headers, requests, nextRequest) {
  // Imported here, so that the servers under test (this file's children) do not load it.
  const { default: autocannon } = await import("autocannon");
  let notPaid = 0;
  // autocannon notices that `amount` is reached on its one-second tick: time to the last answer.
  let lastAnswer = 0;
  const started = performance.now();
  const result = await new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        headers,
        connections: CONNECTIONS,
        amount: requests,
        requests: [
          {
            setupRequest: (request) => ({ ...request, ...nextRequest() }),
            onResponse: (status, body) => {
              lastAnswer = performance.now();
              if (status !== 200 || !body.includes('"PAID"')) notPaid++;
            },
          },
        ],
      },
      (error, output) => (error ? reject(error) : resolve(output)),
    );
  });
  const seconds = (lastAnswer - started) / 1000;
  if (result.errors > 0 || result.non2xx > 0 || notPaid > 0)
    throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx, ${notPaid} not PAID`);
  return { total: result.requests.total, rps: result.requests.total / seconds, result };
}

function variantsOf(sandbox, peers, services) {
  const tokenHeader = services.headers;
  const complete = (id) => ({
    method: "POST",
    path: "/trpc/payment.complete",
    body: JSON.stringify({ paymentId: id }),
  });
  const get = (id) => ({
    method: "GET",
    path: `/trpc/payment.get?input=${encodeURIComponent(JSON.stringify({ paymentId: id }))}`,
  });
  const serviceVariants = services.list.flatMap((service) => [
    {
      name: `${service.label} payment.complete, LOG_LEVEL=${service.level}`,
      kind: "complete",
      server: service.child,
      headers: { ...tokenHeader, "content-type": "application/json" },
      supply: (prefix, count) => paidServicePayments(sandbox, service.trpc, prefix, count),
      request: complete,
    },
    {
      name: `${service.label} payment.get, LOG_LEVEL=${service.level}`,
      kind: "get",
      server: service.child,
      headers: tokenHeader,
      supply: async (prefix) => paidServicePayments(sandbox, service.trpc, prefix, 1),
      request: get,
    },
  ]);
  const peerVariants = peers.flatMap(({ label, child }) => [
    {
      name: `${label} complete`,
      kind: "complete",
      server: child,
      headers: { "content-type": "application/json" },
      supply: (prefix, count) => paidPeerPayments(sandbox, child.info.url, prefix, count),
      request: (id) => ({
        method: "POST",
        path: "/payment/complete",
        body: JSON.stringify({ paymentId: id }),
      }),
    },
    {
      name: `${label} get`,
      kind: "get",
      server: child,
      headers: {},
      supply: (prefix) => paidPeerPayments(sandbox, child.info.url, prefix, 1),
      request: (id) => ({ method: "GET", path: `/payment/${encodeURIComponent(id)}` }),
    },
  ]);
  return [...peerVariants, ...serviceVariants];
}

/** One load of `variant`: fresh payments for complete, one payment repeated for get. */
async function measure(variant, prefix, requests) {
  const ids = await variant.supply(prefix, requests);
  let next = 0;
  const nextRequest =
    variant.kind === "complete"
      ? () => variant.request(ids[next++ % ids.length])
      : () => variant.request(ids[0]);
  const cpuBefore = cpuMsOf(variant.server.pid);
  const { total, rps } = await load(
    variant.server.info.url,
    variant.headers,
    requests,
    nextRequest,
  );
  const cpuMs = cpuMsOf(variant.server.pid) - cpuBefore;
  return { rps, cpuPerRequestUs: (cpuMs * 1000) / total };
}

async function runBenchmark() {
  const sandboxChild = await startChild(SELF, ["--sandbox"]);
  const sandbox = sandboxChild.info;
  const upstream = sandboxEnv(sandbox);
  // The two peers: orders in a Map (the least a shop could do), and in SQLite (as a shop keeps them).
  const peers = [
    { label: PEER_MAP, child: await startChild(SELF, ["--target", "peer"], upstream, profiled) },
    {
      label: PEER_SQLITE,
      child: await startChild(SELF, ["--target", "peer-sqlite"], upstream, profiled),
    },
  ];
  const token = await signBenchToken();
  const headers = { authorization: `Bearer ${token}` };
  const { createTRPCClient, httpBatchLink } = await import("@trpc/client");
  const list = [];
  // BENCH_BASELINE=<dist directory of another build>: that build's service too, at info.
  // "service+webhooks": with the webhooks module, as src/main.ts runs it (each change's event
  // goes to the inbox and the dispatcher handles it: its CPU is counted with the request's).
  const builds = [
    { label: "service", level: "warn" },
    { label: "service", level: "info" },
    { label: "service+webhooks", level: "info", webhooks: true },
    ...(process.env.BENCH_BASELINE
      ? [
          { label: "baseline", level: "info", dist: process.env.BENCH_BASELINE },
          {
            label: "baseline+webhooks",
            level: "info",
            dist: process.env.BENCH_BASELINE,
            webhooks: true,
          },
        ]
      : []),
  ];
  for (const { label, level, dist, webhooks } of builds) {
    const child = await startChild(
      SELF,
      ["--target", "service"],
      {
        ...upstream,
        BENCH_LOG_LEVEL: level,
        ...(dist ? { BENCH_DIST: dist } : {}),
        ...(webhooks ? { BENCH_WEBHOOKS: "1" } : {}),
      },
      profiled,
    );
    const trpc = createTRPCClient({
      links: [httpBatchLink({ url: `${child.info.url}/trpc`, headers, maxItems: 10 })],
    });
    list.push({ label, level, child, trpc });
  }
  // BENCH_ONLY=<text>: only the variants whose name contains it (e.g. to profile one).
  const variants = variantsOf(sandbox, peers, { headers, list }).filter((variant) =>
    variant.name.includes(process.env.BENCH_ONLY ?? ""),
  );
  const samples = new Map(variants.map((variant) => [variant.name, { rps: [], cpu: [] }]));

  // Warm-up: JIT, connection pools, SQLite page cache.
  for (const [index, variant] of variants.entries()) await measure(variant, `warm-${index}`, 1000);
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of rotated(variants, round)) {
      const index = variants.indexOf(variant);
      const sample = await measure(variant, `r${round}-${index}`, requestsOf(variant));
      samples.get(variant.name).rps.push(sample.rps);
      samples.get(variant.name).cpu.push(sample.cpuPerRequestUs);
    }
  }
  await Promise.all([...peers, ...list].map(({ child }) => child.stop()));
  await sandboxChild.stop();
  report(variants, samples);
}

function report(variants, samples) {
  const peerOf = (kind, label) =>
    variants.find((variant) => variant.kind === kind && variant.name.startsWith(label)) ??
    variants.find((variant) => variant.kind === kind);
  /** Median over rounds of `name`'s value divided by `base`'s in the same round. */
  const sameRoundRatio = (name, base, key) => {
    const [values, bases] = [samples.get(name)[key], samples.get(base)[key]];
    return median(values.map((value, round) => value / bases[round]));
  };
  console.log(
    `### Service against the hand-written peer (${environmentLine()}, ${CONNECTIONS} ` +
      `connections, ${ROUNDS} rounds x ${REQUESTS} completes or ${GET_REQUESTS} gets)\n`,
  );
  console.log(
    "Medians over rounds; the ratios are medians of the same round's ratios, which the\n" +
      "machine's load swings affect less than ratios of medians.\n",
  );
  printTable([
    [
      "variant",
      "req/s",
      "server CPU/req (µs)",
      "req/s vs Map peer",
      "CPU/req vs Map peer",
      "req/s vs SQLite peer",
      "CPU/req vs SQLite peer",
    ],
    ...variants.map((variant) => {
      const ratio = (label, key) =>
        `${fixed(sameRoundRatio(variant.name, peerOf(variant.kind, label).name, key))}x`;
      return [
        variant.name,
        grouped(median(samples.get(variant.name).rps)),
        grouped(median(samples.get(variant.name).cpu)),
        ratio(PEER_MAP, "rps"),
        ratio(PEER_MAP, "cpu"),
        ratio(PEER_SQLITE, "rps"),
        ratio(PEER_SQLITE, "cpu"),
      ];
    }),
  ]);
  console.log("Per round (req/s / CPU µs per request):\n");
  printTable([
    ["variant", ...Array.from({ length: ROUNDS }, (_, round) => `round ${round + 1}`)],
    ...variants.map((variant) => {
      const { rps, cpu } = samples.get(variant.name);
      return [variant.name, ...rps.map((value, i) => `${grouped(value)} / ${grouped(cpu[i])}`)];
    }),
  ]);
  for (const kind of ["complete", "get"]) {
    const name = (label, level) => `${label} payment.${kind}, LOG_LEVEL=${level}`;
    const [warn, info, baseline, webhooks, baselineWebhooks] = [
      name("service", "warn"),
      name("service", "info"),
      name("baseline", "info"),
      name("service+webhooks", "info"),
      name("baseline+webhooks", "info"),
    ];
    if (samples.has(warn) && samples.has(info))
      console.log(
        `payment.${kind}: LOG_LEVEL=info vs warn: ${fixed(100 * sameRoundRatio(info, warn, "rps"), 1)}% ` +
          `of the req/s, ${fixed(100 * sameRoundRatio(info, warn, "cpu"), 1)}% of the CPU per request.`,
      );
    if (samples.has(info) && samples.has(webhooks))
      console.log(
        `payment.${kind}: with the webhooks module vs without (both info): ` +
          `${fixed(sameRoundRatio(webhooks, info, "rps"))}x the req/s, ` +
          `${fixed(sameRoundRatio(webhooks, info, "cpu"))}x the CPU per request.`,
      );
    for (const [these, base, what] of [
      [info, baseline, "both info"],
      [webhooks, baselineWebhooks, "both info, with the webhooks module"],
    ])
      if (samples.has(these) && samples.has(base))
        console.log(
          `payment.${kind}: this build vs the baseline build (${what}): ` +
            `${fixed(sameRoundRatio(these, base, "rps"))}x the req/s, ` +
            `${fixed(sameRoundRatio(these, base, "cpu"))}x the CPU per request.`,
        );
  }
}

/** Runs `task(item)` for every item, at most `concurrency` at a time. */
async function forEachConcurrently(items, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
