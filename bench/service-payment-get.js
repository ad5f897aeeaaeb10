// payment.get through the whole service (tRPC over Fastify, JWT check, rate limiter, SQLite
// record lookup and ownership check, getPayment via the SDK, verdict, zod output) vs a bare
// Fastify route that proxies the same getPayment call to the same sandbox (the limit).
// autocannon on loopback; the sandbox and the server under test each run in a child process so
// that neither shares a thread with the load generator. Rounds alternate the variants.
// Target: the service at >= 70% of the bare proxy's throughput.
//
// Upstream: every variant calls the sandbox through the same SDK client; the bare route on
// Node's global fetch, the service over its own keep-alive node:http transport
// (src/server/portone-transport.ts), which costs less CPU per call: part of what it measures.
// BENCH_CPU_PROF=<dir> makes each server under test write a V8 CPU profile there.
//
//   npm run build && node bench/service-payment-get.js
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { cpuMsOf, serveUntilStdinEnds, startChild } from "./lib/child-process.js";
import {
  sandboxEnv,
  serveSandboxChild,
  serveServiceChild,
  signBenchToken,
} from "./lib/service-child.js";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);

const role = process.argv[2];
if (role === "--sandbox") await serveSandboxChild();
else if (role === "--target") await runTarget(process.argv[3]);
else await runBenchmark();

/** Child: one server under test, configured from env. Prints its URL as one JSON line. */
async function runTarget(variant) {
  const { PortOneClient } = await import("../dist/sdk/index.js");
  const portone = {
    apiSecret: process.env.BENCH_API_SECRET,
    baseUrl: process.env.BENCH_PORTONE_URL,
    storeId: process.env.BENCH_STORE_ID,
    channelKey: process.env.BENCH_CHANNEL_KEY,
  };
  let url;
  let close;
  if (variant === "bare") {
    const { default: Fastify } = await import("fastify");
    const client = PortOneClient({ secret: portone.apiSecret, baseUrl: portone.baseUrl });
    const app = Fastify();
    app.get("/payments/:paymentId", async (request) =>
      client.payment.getPayment({ paymentId: request.params.paymentId }),
    );
    url = await app.listen({ port: 0, host: "127.0.0.1" });
    close = () => app.close();
  } else if (variant === "trpc") {
    // tRPC's own cost: one procedure proxying the same call, none of the service around it.
    const { default: Fastify } = await import("fastify");
    const { initTRPC } = await import("@trpc/server");
    const { fastifyTRPCPlugin } = await import("@trpc/server/adapters/fastify");
    const { z } = await import("zod");
    const client = PortOneClient({ secret: portone.apiSecret, baseUrl: portone.baseUrl });
    const t = initTRPC.create();
    const router = t.router({
      payment: t.router({
        get: t.procedure
          .input(z.object({ paymentId: z.string() }))
          .query(({ input }) => client.payment.getPayment({ paymentId: input.paymentId })),
      }),
    });
    const app = Fastify();
    await app.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router } });
    url = await app.listen({ port: 0, host: "127.0.0.1" });
    close = () => app.close();
  } else {
    return serveServiceChild({
      dist: new URL("../dist", import.meta.url).pathname,
      logLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
    });
  }
  await serveUntilStdinEnds({ url }, close);
}

/** Starts this file in a role; BENCH_CPU_PROF profiles the servers under test, not the sandbox. */
function child(args, env = {}) {
  return startChild(SELF, args, env, { cpuProfile: args[0] === "--target" });
}

function load(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        headers,
        connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
        duration: Number(process.env.BENCH_SECONDS ?? 8),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function runBenchmark() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const sandbox = await child(["--sandbox"]);
  const upstream = sandboxEnv(sandbox.info);
  const bare = await child(["--target", "bare"], upstream);
  const trpcOnly = await child(["--target", "trpc"], upstream);
  const service = await child(["--target", "service"], upstream);
  const serviceInfoLogs = await child(["--target", "service"], {
    ...upstream,
    BENCH_LOG_LEVEL: "info",
  });

  // One paid payment, prepared through each service instance (each has its own records).
  const token = await signBenchToken();
  const headers = { authorization: `Bearer ${token}` };
  const { createTRPCClient, httpLink } = await import("@trpc/client");
  const prepareAndPay = async (serviceUrl, orderId) => {
    const trpc = createTRPCClient({ links: [httpLink({ url: `${serviceUrl}/trpc`, headers })] });
    const prepared = await trpc.payment.prepare.mutate({ orderId });
    const response = await fetch(`${sandbox.info.url}/sandbox/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...prepared, outcome: "paid" }),
    });
    if (!response.ok) throw new Error(`checkout failed: ${response.status}`);
    const view = await trpc.payment.complete.mutate({ paymentId: prepared.paymentId });
    if (view.status !== "PAID") throw new Error(`expected PAID, got ${view.status}`);
    return prepared.paymentId;
  };
  const paymentA = await prepareAndPay(service.info.url, "bench-order-a");
  const paymentB = await prepareAndPay(serviceInfoLogs.info.url, "bench-order-b");
  const getUrl = (base, paymentId) =>
    `${base}/trpc/payment.get?input=${encodeURIComponent(JSON.stringify({ paymentId }))}`;

  const variants = [
    {
      name: "bare Fastify proxy (limit)",
      url: `${bare.info.url}/payments/${paymentA}`,
      headers: {},
      pid: bare.pid,
    },
    {
      name: "bare tRPC procedure proxy (tRPC's share)",
      url: getUrl(trpcOnly.info.url, paymentA),
      headers: {},
      pid: trpcOnly.pid,
    },
    {
      name: "service payment.get, LOG_LEVEL=warn",
      url: getUrl(service.info.url, paymentA),
      headers,
      pid: service.pid,
    },
    {
      name: "service payment.get, LOG_LEVEL=info",
      url: getUrl(serviceInfoLogs.info.url, paymentB),
      headers,
      pid: serviceInfoLogs.pid,
    },
  ];
  // Warm-up: JIT, connection pools, SQLite page cache.
  for (const variant of variants) {
    const result = await load(variant.url, variant.headers);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${variant.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const samples = new Map(
    variants.map((variant) => [variant.name, { rps: [], p99: [], cpu: [], upstreamCpu: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const variant of rotated(variants, round)) {
      const cpuBefore = cpuMsOf(variant.pid);
      const upstreamBefore = cpuMsOf(sandbox.pid);
      const result = await load(variant.url, variant.headers);
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${variant.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const sample = samples.get(variant.name);
      sample.rps.push(result.requests.average);
      sample.p99.push(result.latency.p99);
      if (cpuBefore !== undefined && upstreamBefore !== undefined) {
        // Microseconds of CPU per request in the server under test and in the sandbox.
        sample.cpu.push(((cpuMsOf(variant.pid) - cpuBefore) * 1000) / result.requests.total);
        sample.upstreamCpu.push(
          ((cpuMsOf(sandbox.pid) - upstreamBefore) * 1000) / result.requests.total,
        );
      }
    }
  }

  await Promise.all([bare, trpcOnly, service, serviceInfoLogs].map((server) => server.stop()));
  await sandbox.stop();

  const limit = median(samples.get(variants[0].name).rps);
  console.log(
    `### payment.get through the service vs a bare proxy (${environmentLine()}, ` +
      `${process.env.BENCH_CONNECTIONS ?? 10} connections, ${rounds} rounds x ` +
      `${process.env.BENCH_SECONDS ?? 8} s, medians)\n`,
  );
  printTable([
    [
      "variant",
      "req/s",
      "p99 latency (ms)",
      "throughput vs limit",
      "server CPU/req (µs)",
      "sandbox CPU/req (µs)",
    ],
    ...variants.map((variant) => {
      const { rps, p99, cpu, upstreamCpu } = samples.get(variant.name);
      return [
        variant.name,
        grouped(median(rps)),
        fixed(median(p99), 1),
        `${fixed((100 * median(rps)) / limit, 1)}%`,
        cpu.length > 0 ? grouped(median(cpu)) : "n/a",
        upstreamCpu.length > 0 ? grouped(median(upstreamCpu)) : "n/a",
      ];
    }),
  ]);
}
