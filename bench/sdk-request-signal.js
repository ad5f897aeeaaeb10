// What a signal costs Node's `fetch` before any socket is involved: building the `Request` that
// `fetch` builds for every call, without a signal, with one signal shared by 4, 16 (as the SDK's
// timeout groups share theirs) or 64 requests, with one `AbortSignal.timeout` signal shared by 16,
// and with a fresh signal per request; plus creating an `AbortSignal` alone. The group sizes show
// whether undici's per-request work grows with the listeners a shared signal already holds. The
// loop yields to the event loop every 50 requests, so that the clean-up undici registers per
// signalled request (a FinalizationRegistry entry) runs and is counted. CPU time of this process
// per request, rounds rotated, medians and per-round ratios.
//
// Diagnostic, not something a client could do: BENCH_NO_FINALIZATION_REGISTRY=1 makes
// `FinalizationRegistry.prototype.register` a no-op for the whole process, before undici files
// any entry, so the "added ns" of the signal rows shows undici's signal handling without the
// registry entry (and its later clean-up) it files for every signalled request. It has to be a
// process of its own: entries filed by one variant are processed during the next one's rounds.
//
//   node bench/sdk-request-signal.js

import { sharedSignals } from "./lib/shared-signal.js";
import { environmentLine, fixed, median, printTable, rotated } from "./lib/stats.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const perRound = Number(process.env.BENCH_REQUESTS ?? 20_000);
const url = "http://127.0.0.1:9/payments/order-2024-04-25-000123";
const headers = { "user-agent": "bench", authorization: "PortOne benchmark-api-secret" };

const sharedSignal = sharedSignals(16);
const sharedBy4 = sharedSignals(4);
const sharedBy64 = sharedSignals(64);
const sharedTimeout = sharedSignals(16, () => AbortSignal.timeout(60_000));
const withoutRegistry = process.env.BENCH_NO_FINALIZATION_REGISTRY === "1";
if (withoutRegistry) FinalizationRegistry.prototype.register = () => undefined;

let sink = 0;
const variants = [
  { name: "new Request, no signal (limit)", run: () => new Request(url, { headers }).url.length },
  {
    name: "new Request, a signal shared by 16 requests",
    run: () => new Request(url, { headers, signal: sharedSignal() }).url.length,
  },
  {
    name: "new Request, a signal shared by 4 requests",
    run: () => new Request(url, { headers, signal: sharedBy4() }).url.length,
  },
  {
    name: "new Request, a signal shared by 64 requests",
    run: () => new Request(url, { headers, signal: sharedBy64() }).url.length,
  },
  {
    name: "new Request, an AbortSignal.timeout(60 s) shared by 16",
    run: () => new Request(url, { headers, signal: sharedTimeout() }).url.length,
  },
  {
    name: "new Request, a fresh AbortController's signal",
    run: () => new Request(url, { headers, signal: new AbortController().signal }).url.length,
  },
  { name: "new AbortController().signal alone", run: () => (new AbortController().signal ? 1 : 0) },
];

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** CPU ns per operation over `count` operations. */
async function timeOps(variant, count) {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    sink ^= variant.run();
    if (i % 50 === 49) await yieldToLoop();
  }
  const cpu = process.cpuUsage(start);
  return ((cpu.user + cpu.system) * 1e3) / count;
}

for (const variant of variants) {
  await timeOps(variant, perRound);
  variant.samples = [];
}
for (let round = 0; round < rounds; round++) {
  for (const variant of rotated(variants, round)) {
    variant.samples.push(await timeOps(variant, perRound));
  }
}

const [limit] = variants;
console.log(
  `## Request construction with and without a signal\n\n${environmentLine()}; ${rounds} rounds x ${perRound} operations per variant, order rotated${withoutRegistry ? "; diagnostic: FinalizationRegistry.prototype.register a no-op" : ""}.\n`,
);
printTable([
  ["variant", "CPU ns/op", "added ns vs limit", "per-round ratio"],
  ...variants.map((variant) => [
    variant.name,
    fixed(median(variant.samples), 0),
    fixed(median(variant.samples) - median(limit.samples), 0),
    `${fixed(median(variant.samples.map((sample, round) => sample / limit.samples[round])), 3)}x`,
  ]),
]);
if (sink === 0.5) console.log("");
