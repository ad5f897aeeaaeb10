// Call overhead: `getPayment` against a local node:http server (a child process answering a
// fixed PaidPayment), this SDK vs @portone/server-sdk vs a bare `fetch` + `response.json()`
// (the limit). Calls are sequential; rounds alternate the order; medians per call.
// Target (issue 10): our overhead over raw fetch at most the official client's, 60 s timeout kept.
//
//   npm run build && node bench/sdk-call-overhead.js
//   BENCH_BASELINE=/path/to/other/build/dist[,...] adds those builds' getPayment (before/after).
//   BENCH_SIGNAL_GROUPS=1,4,16,64 measures raw fetch with a signal shared by that many calls.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PortOneClient as OfficialClient } from "@portone/server-sdk";
import { PortOneClient } from "portone-bff/sdk";
// Internal, for the step ladder below only: the runtime's operation rows and URL/body builder.
import { compileOperation } from "../dist/sdk/runtime/operation.js";
import { buildWireRequest } from "../dist/sdk/runtime/wire-request.js";
import { checkBuiltSdk } from "./lib/sdk-entry.js";
import { sharedSignals } from "./lib/shared-signal.js";
import {
  environmentLine,
  fixed,
  median,
  printTable,
  relativeSpread,
  rotated,
} from "./lib/stats.js";

checkBuiltSdk();

const rounds = Number(process.env.BENCH_CALL_ROUNDS ?? 60);
const callsPerRound = Number(process.env.BENCH_CALLS ?? 100);

const server = spawn(
  process.execPath,
  [fileURLToPath(new URL("./lib/payment-server.js", import.meta.url))],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const [firstLine] = await once(server.stdout, "data");
const { port, bytes } = JSON.parse(String(firstLine));
const baseUrl = `http://127.0.0.1:${port}`;
const secret = "benchmark-api-secret";
const paymentId = "order-2024-04-25-000123";

let sink = 0;

// BENCH_BASELINE=<dist directory of another build>[,<another>...] (e.g. main's): each build's
// client runs side by side with this one, named after the directory that holds its dist/.
const baselines = await Promise.all(
  (process.env.BENCH_BASELINE ?? "")
    .split(",")
    .filter(Boolean)
    .map(async (dist) => ({
      label: `baseline ${basename(dirname(resolve(dist)))}`,
      PortOneClient: (await import(pathToFileURL(`${dist}/sdk/index.js`).href)).PortOneClient,
    })),
);
const baselineVariants = () =>
  baselines.map(({ label, PortOneClient: Client }) => {
    const client = Client({ secret, baseUrl });
    return { name: `${label} getPayment`, call: () => client.payment.getPayment({ paymentId }) };
  });

const signalGroups = (process.env.BENCH_SIGNAL_GROUPS ?? "16").split(",").map(Number);

const ours = PortOneClient({ secret, baseUrl });
const official = OfficialClient({ secret, baseUrl });
const withoutSignal = PortOneClient({
  secret,
  baseUrl,
  fetch: (url, init) => fetch(url, { ...init, signal: undefined }),
});
const variants = [
  {
    name: "raw fetch + json (limit)",
    call: async () => {
      const response = await fetch(`${baseUrl}/payments/${encodeURIComponent(paymentId)}`, {
        headers: { Authorization: `PortOne ${secret}` },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
  },
  {
    // The floor for any client with a per-call timeout on Node 20: undici registers every
    // signal it is given (a listener, a WeakRef, a FinalizationRegistry entry), and creating
    // the AbortSignal itself costs a few µs.
    name: "raw fetch + json + abort signal and 60 s timer",
    call: async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 60_000);
      try {
        const response = await fetch(`${baseUrl}/payments/${encodeURIComponent(paymentId)}`, {
          headers: { Authorization: `PortOne ${secret}` },
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return await response.json();
      } finally {
        clearTimeout(timer);
      }
    },
  },
  // The floor for a client whose timeout closes its request, with the signal's creation amortised
  // as the SDK's timeout groups do (one signal per 16 calls): what is left is what undici does for
  // any request that carries a signal. BENCH_SIGNAL_GROUPS=1,4,16,64 measures other group sizes.
  ...signalGroups.map((size) => {
    const sharedSignal = sharedSignals(size);
    return {
      name: `raw fetch + json + a signal shared by ${size} calls`,
      call: async () => {
        const response = await fetch(`${baseUrl}/payments/${encodeURIComponent(paymentId)}`, {
          headers: { Authorization: `PortOne ${secret}` },
          signal: sharedSignal(),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      },
    };
  }),
  { name: "portone-bff getPayment", call: () => ours.payment.getPayment({ paymentId }) },
  {
    // Not a safe client (its timeout could not close the request): shows, in the same run,
    // what handing the timeout's signal to fetch costs.
    name: "portone-bff getPayment, diagnostic: signal withheld from fetch",
    call: () => withoutSignal.payment.getPayment({ paymentId }),
  },
  ...baselineVariants(),
  {
    name: "@portone/server-sdk getPayment",
    call: () => official.payment.getPayment({ paymentId }),
  },
];

/** Wall time per call in µs; also records this process's CPU time (user + system) per call. */
async function timeCalls(variant, count) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const payment = await variant.call();
    sink ^= payment.amount.total;
  }
  const wall = Number(process.hrtime.bigint() - start) / count / 1e3;
  const cpu = process.cpuUsage(cpuStart);
  variant.cpuSamples?.push((cpu.user + cpu.system) / count);
  return wall;
}

const percent = (value, base) =>
  `${value >= base ? "+" : ""}${fixed((value / base - 1) * 100, 1)}%`;

/**
 * Prints medians of wall and client CPU time per call against the first variant (the limit),
 * plus per-round ratios, which cancel slow drifts of a busy machine that hit a whole round.
 */
function report(measured, limitName) {
  const [limit] = measured;
  const wallLimit = median(limit.samples);
  const cpuLimit = median(limit.cpuSamples);
  const perRound = (variant, key) =>
    median(variant[key].map((sample, round) => sample / limit[key][round]));
  printTable([
    [
      "variant",
      "wall µs/call",
      `wall vs ${limitName}`,
      "wall, per-round ratio",
      "client CPU µs/call",
      `CPU vs ${limitName}`,
      "CPU, per-round ratio",
    ],
    ...measured.map((variant) => [
      variant.name,
      `${fixed(median(variant.samples), 1)} ±${fixed(relativeSpread(variant.samples) * 100, 0)}%`,
      percent(median(variant.samples), wallLimit),
      `${fixed(perRound(variant, "samples"), 3)}x`,
      fixed(median(variant.cpuSamples), 1),
      percent(median(variant.cpuSamples), cpuLimit),
      `${fixed(perRound(variant, "cpuSamples"), 3)}x`,
    ]),
  ]);
}

try {
  for (const variant of variants) {
    await timeCalls(variant, 300);
    variant.samples = [];
    variant.cpuSamples = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const variant of rotated(variants, round)) {
      variant.samples.push(await timeCalls(variant, callsPerRound));
    }
  }
} catch (error) {
  server.stdin.end();
  throw error;
}
const paymentJson = await (await fetch(`${baseUrl}/payments/${paymentId}`)).text();
server.stdin.end();

console.log(
  `## Call overhead\n\n${environmentLine()}; ${rounds} rounds x ${callsPerRound} sequential getPayment calls per variant, order rotated; ${bytes}-byte PaidPayment; keep-alive on (undici default).\n`,
);
report(variants, "raw fetch");
// The clients against a stub `fetch` that returns a ready Response without any socket: what
// remains is each client's own CPU cost per call, free of network noise.
const realFetch = globalThis.fetch;
globalThis.fetch = async () =>
  new Response(paymentJson, { status: 200, headers: { "content-type": "application/json" } });
const stubbedOurs = PortOneClient({ secret, baseUrl });
const stubbedOfficial = OfficialClient({ secret, baseUrl });
const stubUrl = `${baseUrl}/payments/${encodeURIComponent(paymentId)}`;
const withTimeout = async (send) => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  try {
    return JSON.parse(await (await send(controller.signal)).text());
  } finally {
    clearTimeout(timer);
  }
};
const sdkHeaders = () => ({ "user-agent": "bench", authorization: `PortOne ${secret}` });
const getPaymentRow = compileOperation("getPayment", ["GET /payments/{paymentId}?storeId", Error]);
// A ladder that adds the SDK's per-call steps one at a time, to show what each costs.
const stubVariants = [
  {
    name: "stub fetch + json (limit)",
    call: async () =>
      (await fetch(stubUrl, { headers: { Authorization: `PortOne ${secret}` } })).json(),
  },
  {
    name: "+ text() and JSON.parse",
    call: async () =>
      JSON.parse(
        await (await fetch(stubUrl, { headers: { Authorization: `PortOne ${secret}` } })).text(),
      ),
  },
  {
    name: "+ AbortController and 60 s timer",
    call: () =>
      withTimeout((signal) =>
        fetch(stubUrl, { headers: { Authorization: `PortOne ${secret}` }, signal }),
      ),
  },
  {
    name: "+ runtime buildWireRequest, plain headers",
    call: () => {
      const wire = buildWireRequest({ baseUrl }, getPaymentRow, { paymentId });
      return withTimeout((signal) =>
        fetch(wire.url, { method: getPaymentRow.method, headers: sdkHeaders(), signal }),
      );
    },
  },
  { name: "portone-bff getPayment", call: () => stubbedOurs.payment.getPayment({ paymentId }) },
  ...baselineVariants(),
  {
    name: "@portone/server-sdk getPayment",
    call: () => stubbedOfficial.payment.getPayment({ paymentId }),
  },
];
for (const variant of stubVariants) {
  await timeCalls(variant, 5_000);
  variant.samples = [];
  variant.cpuSamples = [];
}
for (let round = 0; round < 15; round++) {
  for (const variant of rotated(stubVariants, round)) {
    variant.samples.push(await timeCalls(variant, 3_000));
  }
}
globalThis.fetch = realFetch;
console.log("### Client cost per call with a stub fetch (no socket)\n");
report(stubVariants, "stub fetch");
if (sink === 0.5) console.log("");
