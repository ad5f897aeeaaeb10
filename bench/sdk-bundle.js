// Bundle size: esbuild, minified ESM, of a tiny program that only calls `getPayment`, once with
// this SDK and once with @portone/server-sdk (root import and per-category import each).
// Target: at most half the official package's size.
//
//   npm run build && node bench/sdk-bundle.js
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { checkBuiltSdk, repoRoot } from "./lib/sdk-entry.js";
import { fixed, grouped, printTable } from "./lib/stats.js";

checkBuiltSdk();

const program = (importLine, client) => `${importLine}
const client = ${client}({ secret: globalThis.PORTONE_API_SECRET });
const payment = await client${client === "PortOneClient" ? ".payment" : ""}.getPayment({ paymentId: "order-1" });
console.log(payment.status);
`;

const variants = [
  {
    name: "portone-bff/sdk (PortOneClient)",
    source: program('import { PortOneClient } from "portone-bff/sdk";', "PortOneClient"),
  },
  {
    name: "@portone/server-sdk (PortOneClient)",
    source: program('import { PortOneClient } from "@portone/server-sdk";', "PortOneClient"),
  },
  {
    name: "portone-bff/sdk/payment (PaymentClient)",
    source: program('import { PaymentClient } from "portone-bff/sdk/payment";', "PaymentClient"),
  },
  {
    name: "@portone/server-sdk/payment (PaymentClient)",
    source: program(
      'import { PaymentClient } from "@portone/server-sdk/payment";',
      "PaymentClient",
    ),
  },
];

async function bundle(source, platform) {
  const result = await build({
    stdin: { contents: source, resolveDir: repoRoot, sourcefile: "program.js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    target: "es2022",
    write: false,
    logLevel: "silent",
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.entries(result.metafile.outputs)[0][1].inputs;
  const largest = Object.entries(inputs)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 3)
    .map(
      ([path, { bytesInOutput }]) =>
        `${path.replace(/^.*node_modules\//, "")} ${grouped(bytesInOutput)}`,
    );
  return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, largest };
}

console.log("## Bundle size\n\nesbuild, `bundle + minify`, ESM, target es2022; gzip level 9.\n");
for (const platform of (process.env.BENCH_BUNDLE_PLATFORMS ?? "neutral").split(",")) {
  const results = [];
  for (const variant of variants)
    results.push({ ...variant, ...(await bundle(variant.source, platform)) });
  console.log(`### platform: ${platform}\n`);
  printTable([
    ["program", "bytes", "gzip bytes", "largest inputs (bytes in output)"],
    ...results.map((result) => [
      result.name,
      grouped(result.bytes),
      grouped(result.gzip),
      result.largest.join("; "),
    ]),
  ]);
  for (const [ours, official] of [
    [results[0], results[1]],
    [results[2], results[3]],
  ]) {
    console.log(
      `- ${ours.name} / ${official.name}: ${fixed(ours.bytes / official.bytes, 3)}x bytes, ${fixed(ours.gzip / official.gzip, 3)}x gzip (target <= 0.50x)`,
    );
  }
  console.log();
}
