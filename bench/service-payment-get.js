// payment.get through the whole service (tRPC over Fastify, JWT check, rate limiter, SQLite
// record lookup and ownership check, getPayment via the SDK, verdict, zod output) vs a bare
// Fastify route that proxies the same getPayment call to the same sandbox (the limit).
// autocannon on loopback; the sandbox and the server under test each run in a child process so
// that neither shares a thread with the load generator. Rounds alternate the variants.
// Target: the service at >= 70% of the bare proxy's throughput.
//
// Fair upstream: every variant calls the sandbox through the same SDK client on Node's global
// fetch, i.e. the same default undici Agent (keep-alive, no pipelining, connections as needed).
// BENCH_CPU_PROF=<dir> makes each server under test write a V8 CPU profile there.
//
//   npm run build && node bench/service-payment-get.js
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
const JWT_SECRET = "benchmark-hs256-secret-0123456789-abcdef";
const JWT_ISSUER = "https://bench.example/auth";
const JWT_AUDIENCE = "portone-bff";
const CUSTOMER = "bench-customer";

const role = process.argv[2];
if (role === "--sandbox") await runSandbox();
else if (role === "--target") await runTarget(process.argv[3]);
else await runBenchmark();

/** Child: the PortOne sandbox. Prints its base URL and credentials as one JSON line. */
async function runSandbox() {
  const { createSandbox } = await import("../dist/sandbox/index.js");
  const sandbox = await createSandbox();
  const url = await sandbox.listen({ port: 0, host: "127.0.0.1" });
  const { apiSecret, storeId, channelKey } = sandbox;
  process.stdout.write(`${JSON.stringify({ ready: true, url, apiSecret, storeId, channelKey })}\n`);
  await once(process.stdin.resume(), "end");
  await sandbox.close();
}

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
    const { loadConfig, withPortOne } = await import("../dist/config.js");
    const { buildServer } = await import("../dist/server.js");
    const { createInProcessOrderSource } = await import("../dist/payments/index.js");
    const dataDir = mkdtempSync(join(tmpdir(), "bff-bench-"));
    const env = loadConfig({
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
      PORTONE_API_SECRET: portone.apiSecret,
      PORTONE_BASE_URL: portone.baseUrl,
      PORTONE_STORE_ID: portone.storeId,
      PORTONE_CHANNEL_KEY: portone.channelKey,
      PORTONE_CHANNEL_TYPE: "TEST",
      ORDER_SOURCE_URL: "http://127.0.0.1:9/unused",
      AUTH_JWT_SECRET: JWT_SECRET,
      AUTH_JWT_ISSUER: JWT_ISSUER,
      AUTH_JWT_AUDIENCE: JWT_AUDIENCE,
      RATE_LIMIT_MAX: "1000000",
      DATA_DIR: dataDir,
    });
    const orders = createInProcessOrderSource((orderId) => ({
      orderId,
      customerId: CUSTOMER,
      orderName: "Benchmark order",
      totalAmount: 25_000,
      currency: "KRW",
    }));
    const service = await buildServer(withPortOne(env, env.portone), { orderSource: orders });
    url = await service.listen();
    close = async () => {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  process.stdout.write(`${JSON.stringify({ ready: true, url })}\n`);
  await once(process.stdin.resume(), "end");
  await close();
}

/** Starts this file in a role and resolves the `ready` line it prints (log lines are skipped). */
async function child(args, env = {}) {
  // BENCH_CPU_PROF=<dir>: each server under test writes a V8 CPU profile there when it stops.
  const profile =
    process.env.BENCH_CPU_PROF && args[0] === "--target"
      ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF]
      : [];
  const process_ = spawn(process.execPath, [...profile, SELF, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  // The parent must not outlive a failure and leave its children running, nor the reverse.
  process_.on("exit", (code) => {
    if (code !== 0 && code !== null) {
      console.error(`bench child ${args.join(" ")} exited with ${code}`);
      process.exit(1);
    }
  });
  const lines = createInterface({ input: process_.stdout });
  const info = await new Promise((resolve) => {
    // Keep reading (and dropping log lines) so that a full pipe never blocks the child.
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      const parsed = JSON.parse(line);
      if (parsed.ready) resolve(parsed);
    });
  });
  return {
    info,
    pid: process_.pid,
    async stop() {
      process_.stdin.end();
      await once(process_, "exit");
    },
  };
}

/** CPU time (user + system, ms) a process has used so far; undefined where /proc is missing. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function signToken() {
  const { SignJWT } = await import("jose");
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(CUSTOMER)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(JWT_SECRET));
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
  const upstream = {
    BENCH_API_SECRET: sandbox.info.apiSecret,
    BENCH_PORTONE_URL: sandbox.info.url,
    BENCH_STORE_ID: sandbox.info.storeId,
    BENCH_CHANNEL_KEY: sandbox.info.channelKey,
  };
  const bare = await child(["--target", "bare"], upstream);
  const trpcOnly = await child(["--target", "trpc"], upstream);
  const service = await child(["--target", "service"], upstream);
  const serviceInfoLogs = await child(["--target", "service"], {
    ...upstream,
    BENCH_LOG_LEVEL: "info",
  });

  // One paid payment, prepared through each service instance (each has its own records).
  const token = await signToken();
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
