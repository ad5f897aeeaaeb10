// Runs every benchmark script in bench/ (each `*.js` file at the top level except this one),
// one after another, each in its own process so that none warms the JIT or the heap for the
// next. `npm run bench` builds first; pass file names to run only some of them:
//
//   npm run bench
//   npm run build && node bench/run.js sdk-webhook-verify.js sdk-bundle.js
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const requested = process.argv.slice(2);
const scripts =
  requested.length > 0
    ? requested
    : readdirSync(benchDir)
        .filter((name) => name.endsWith(".js") && name !== "run.js")
        .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`<!-- bench/${script} -->`);
  const result = spawnSync(process.execPath, [`${benchDir}${script}`], { stdio: "inherit" });
  if (result.status !== 0) {
    failed++;
    console.error(`bench/${script} failed with exit code ${result.status}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
