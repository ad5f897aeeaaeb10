// Cold start: a fresh `node` that imports the SDK and creates a client, minus a bare `node`
// doing nothing. Every variant runs in its own child process, rounds alternate the order, and
// the medians are compared. Target: at most half the official package's added time and memory.
//
//   npm run build && node bench/sdk-cold-start.js
import { spawnSync } from "node:child_process";
import { checkBuiltSdk, repoRoot } from "./lib/sdk-entry.js";
import { environmentLine, fixed, grouped, median, printTable, rotated } from "./lib/stats.js";

checkBuiltSdk();

const rounds = Number(process.env.BENCH_COLD_ROUNDS ?? 40);

// The child reports its own memory right after the work; wall time is measured by the parent
// from spawn to exit, so it includes Node's start-up, module loading and teardown.
const report =
  "process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 }));";

const variants = [
  { name: "bare node", code: report },
  {
    name: "portone-bff/sdk PortOneClient",
    code: `import { PortOneClient } from "portone-bff/sdk"; PortOneClient({ secret: "s" }); ${report}`,
  },
  {
    name: "@portone/server-sdk PortOneClient",
    code: `import { PortOneClient } from "@portone/server-sdk"; PortOneClient({ secret: "s" }); ${report}`,
  },
  {
    name: "portone-bff/sdk/payment PaymentClient",
    code: `import { PaymentClient } from "portone-bff/sdk/payment"; PaymentClient({ secret: "s" }); ${report}`,
  },
  {
    name: "@portone/server-sdk/payment PaymentClient",
    code: `import { PaymentClient } from "@portone/server-sdk/payment"; PaymentClient({ secret: "s" }); ${report}`,
  },
];

function runOnce(variant) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", variant.code], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) {
    throw new Error(`${variant.name} failed (exit ${child.status}):\n${child.stderr}`);
  }
  const { rss, peak } = JSON.parse(child.stdout);
  return { wallMs, rss, peak };
}

for (const variant of variants) {
  runOnce(variant); // warm the file system cache
  variant.samples = [];
}
for (let round = 0; round < rounds; round++) {
  for (const variant of rotated(variants, round)) variant.samples.push(runOnce(variant));
}

const summary = variants.map((variant) => ({
  name: variant.name,
  wallMs: median(variant.samples.map((sample) => sample.wallMs)),
  rss: median(variant.samples.map((sample) => sample.rss)),
  peak: median(variant.samples.map((sample) => sample.peak)),
}));
const [bare] = summary;
const byName = Object.fromEntries(summary.map((entry) => [entry.name, entry]));
const added = (entry) => ({
  ms: entry.wallMs - bare.wallMs,
  rssMiB: (entry.rss - bare.rss) / 2 ** 20,
  peakMiB: (entry.peak - bare.peak) / 2 ** 20,
});

console.log(
  `## Cold start\n\n${environmentLine()}, ${rounds} alternating rounds of one child process per variant; medians.\n`,
);
printTable([
  ["variant", "wall ms", "added ms", "RSS MiB", "added RSS MiB", "added peak RSS MiB"],
  ...summary.map((entry) => {
    const extra = added(entry);
    return [
      entry.name,
      fixed(entry.wallMs, 1),
      entry === bare ? "-" : fixed(extra.ms, 1),
      fixed(entry.rss / 2 ** 20, 1),
      entry === bare ? "-" : fixed(extra.rssMiB, 1),
      entry === bare ? "-" : fixed(extra.peakMiB, 1),
    ];
  }),
]);

for (const [ours, official] of [
  ["portone-bff/sdk PortOneClient", "@portone/server-sdk PortOneClient"],
  ["portone-bff/sdk/payment PaymentClient", "@portone/server-sdk/payment PaymentClient"],
]) {
  const a = added(byName[ours]);
  const b = added(byName[official]);
  console.log(
    `- ${ours} vs ${official}: added time ${fixed(a.ms / b.ms)}x, added RSS ${fixed(a.rssMiB / b.rssMiB)}x, added peak RSS ${fixed(a.peakMiB / b.peakMiB)}x (target <= 0.50x)`,
  );
}
console.log(`\n(${grouped(rounds * variants.length)} child processes)\n`);
