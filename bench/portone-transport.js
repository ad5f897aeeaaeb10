// The service's PortOne transport (src/server/portone-transport.ts: node:http with keep-alive)
// against the global fetch, each under this SDK's `getPayment`, against the standalone sandbox
// in a child process (the PortOne a benchmark of the service talks to). 10 calls in flight, as
// bench/service-complete-vs-peer.js runs; CPU per call is this process's own (the client's),
// read with process.cpuUsage around each load. Rounds alternate the order; medians and
// same-round ratios.
//
//   npm run build && node bench/portone-transport.js
//   BENCH_ROUNDS=6 BENCH_CALLS=5000 (defaults)
import { fileURLToPath } from "node:url";
import { PortOneClient } from "../dist/sdk/index.js";
import { createPortOneTransport } from "../dist/server/portone-transport.js";
import { startChild } from "./lib/child-process.js";
import { serveSandboxChild } from "./lib/service-child.js";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

const SELF = fileURLToPath(import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const IN_FLIGHT = 10;

if (process.argv[2] === "--sandbox") await serveSandboxChild();
else await runBenchmark();

/** A paid payment in the sandbox, as the browser's checkout leaves it. */
async function paidPayment(sandbox) {
  const paymentId = `transport-bench-${Date.now()}`;
  const response = await fetch(`${sandbox.url}/sandbox/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      storeId: sandbox.storeId,
      channelKey: sandbox.channelKey,
      paymentId,
      orderName: "Transport benchmark",
      totalAmount: 25_000,
      currency: "KRW",
      outcome: "paid",
    }),
  });
  if (!response.ok) throw new Error(`checkout failed: ${response.status}`);
  return paymentId;
}

async function load(payment, paymentId, calls) {
  let next = 0;
  const worker = async () => {
    while (next++ < calls) {
      const paid = await payment.getPayment({ paymentId });
      if (paid.status !== "PAID") throw new Error(`not PAID: ${paid.status}`);
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { callsPerSecond: calls / seconds, cpuPerCallUs: (used.user + used.system) / calls };
}

async function runBenchmark() {
  const sandboxChild = await startChild(SELF, ["--sandbox"]);
  const sandbox = sandboxChild.info;
  const paymentId = await paidPayment(sandbox);
  const client = (fetch) =>
    PortOneClient({ secret: sandbox.apiSecret, baseUrl: sandbox.url, ...(fetch ? { fetch } : {}) })
      .payment;
  const targets = [
    { name: "global fetch", payment: client(undefined) },
    { name: "service transport (node:http keep-alive)", payment: client(createPortOneTransport()) },
  ];
  const samples = new Map(targets.map((target) => [target.name, { rate: [], cpu: [] }]));
  for (const target of targets) await load(target.payment, paymentId, 1000); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of rotated(targets, round)) {
      const sample = await load(target.payment, paymentId, CALLS);
      samples.get(target.name).rate.push(sample.callsPerSecond);
      samples.get(target.name).cpu.push(sample.cpuPerCallUs);
    }
  }
  await sandboxChild.stop();
  const base = samples.get(targets[0].name);
  const ratio = (values, bases) => median(values.map((value, round) => value / bases[round]));
  console.log(
    `### PortOne transport (${environmentLine()}, ${IN_FLIGHT} in flight, ${ROUNDS} rounds x ${CALLS} getPayment)\n`,
  );
  printTable([
    ["client", "calls/s", "client CPU/call (µs)", "calls/s vs fetch", "CPU/call vs fetch"],
    ...targets.map(({ name }) => {
      const { rate, cpu } = samples.get(name);
      return [
        name,
        grouped(median(rate)),
        grouped(median(cpu)),
        `${fixed(ratio(rate, base.rate))}x`,
        `${fixed(ratio(cpu, base.cpu))}x`,
      ];
    }),
  ]);
}
