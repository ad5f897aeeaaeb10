// Webhook.verify throughput: this SDK vs @portone/server-sdk vs the `standardwebhooks` package,
// with two bare HMAC-SHA256 computations over the same signed bytes as the limit (no header
// parsing, no timestamp check, no JSON). One verification at a time, as a request handler does.
//
//   npm run build && node bench/sdk-webhook-verify.js
import { createHmac } from "node:crypto";
import { Webhook as Official } from "@portone/server-sdk";
import { Webhook as Ours } from "portone-bff/sdk";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { checkBuiltSdk } from "./lib/sdk-entry.js";
import {
  environmentLine,
  fixed,
  grouped,
  median,
  printTable,
  relativeSpread,
  rotated,
} from "./lib/stats.js";

checkBuiltSdk();

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const targetRoundMs = Number(process.env.BENCH_ROUND_MS ?? 250);

const rawKey = new Uint8Array(32).map((_, i) => (i * 31 + 7) & 0xff);
const secret = `whsec_${Buffer.from(rawKey).toString("base64")}`;

const typicalBody = JSON.stringify({
  type: "Transaction.Paid",
  timestamp: "2024-04-25T10:00:00.000Z",
  data: {
    storeId: "store-61e0db3d-b967-47db-8b50-96002da90d55",
    paymentId: "order-2024-04-25-000123",
    transactionId: "01903a1b-6f2e-7c4d-9a8b-1c2d3e4f5a6b",
  },
});
const largeBody = JSON.stringify({
  type: "Transaction.Paid",
  timestamp: "2024-04-25T10:00:00.000Z",
  data: {
    storeId: "store-1",
    paymentId: "order-1",
    transactionId: "tx-1",
    note: "x".repeat(16_000),
  },
});

let sink = 0;

async function makeVariants(body) {
  const headers = await Ours.sign(secret, body, { id: "msg_2ZbCqQm1bench" });
  const content = new TextEncoder().encode(
    `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`,
  );
  const standard = new StandardWebhook(secret);
  const subtleKey = await crypto.subtle.importKey(
    "raw",
    rawKey,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return [
    {
      name: "portone-bff Webhook.verify",
      async: true,
      run: () => Ours.verify(secret, body, headers),
    },
    {
      name: "@portone/server-sdk Webhook.verify",
      async: true,
      run: () => Official.verify(secret, body, headers),
    },
    {
      name: "standardwebhooks verify (sync)",
      async: false,
      run: () => standard.verify(body, headers),
    },
    {
      name: "limit: node:crypto createHmac (sync)",
      async: false,
      run: () => createHmac("sha256", rawKey).update(content).digest(),
    },
    {
      name: "limit: crypto.subtle.sign, key pre-imported",
      async: true,
      run: () => crypto.subtle.sign("HMAC", subtleKey, content),
    },
  ];
}

/** Wall ns for `iterations` calls; also records the process's CPU ns per call (all threads). */
async function timeIterations(variant, iterations) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  if (variant.async) {
    for (let i = 0; i < iterations; i++) sink ^= (await variant.run()) ? 1 : 0;
  } else {
    for (let i = 0; i < iterations; i++) sink ^= variant.run() ? 1 : 0;
  }
  const wall = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuStart);
  variant.cpuSamples?.push(((cpu.user + cpu.system) * 1e3) / iterations);
  return wall;
}

async function measure(label, body) {
  const variants = await makeVariants(body);
  for (const variant of variants) {
    // Warm up the JIT, then size the loop so that each timed run lasts about targetRoundMs.
    await timeIterations(variant, 2_000);
    const probe = await timeIterations(variant, 1_000);
    variant.iterations = Math.max(1_000, Math.round((targetRoundMs * 1e6 * 1_000) / probe));
    variant.samples = [];
    variant.cpuSamples = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const variant of rotated(variants, round)) {
      variant.samples.push(
        (await timeIterations(variant, variant.iterations)) / variant.iterations,
      );
    }
  }
  const ours = median(variants[0].samples);
  const oursCpu = median(variants[0].cpuSamples);
  console.log(`### ${label} (${Buffer.byteLength(body)}-byte body)\n`);
  printTable([
    ["variant", "wall ns/op", "ops/s", "wall vs portone-bff", "CPU ns/op", "CPU vs portone-bff"],
    ...variants.map((variant) => {
      const nsPerOp = median(variant.samples);
      const cpuPerOp = median(variant.cpuSamples);
      return [
        variant.name,
        `${grouped(nsPerOp)} ±${fixed(relativeSpread(variant.samples) * 100, 0)}%`,
        grouped(1e9 / nsPerOp),
        `${fixed(nsPerOp / ours)}x`,
        grouped(cpuPerOp),
        `${fixed(cpuPerOp / oursCpu)}x`,
      ];
    }),
  ]);
  return Object.fromEntries(variants.map((variant) => [variant.name, median(variant.samples)]));
}

console.log(
  `## Webhook.verify throughput\n\n${environmentLine()}, ${rounds} rounds, order rotated each round.\n`,
);
const typical = await measure("Typical webhook", typicalBody);
await measure("Large webhook", largeBody);
const ours = typical["portone-bff Webhook.verify"];
console.log(
  `Typical body: portone-bff is ${fixed(typical["@portone/server-sdk Webhook.verify"] / ours)}x as fast as @portone/server-sdk and ${fixed(typical["standardwebhooks verify (sync)"] / ours)}x as fast as standardwebhooks; the bare createHmac limit takes ${fixed(typical["limit: node:crypto createHmac (sync)"] / ours)}x our time.\n`,
);
if (sink === 42) console.log("");
