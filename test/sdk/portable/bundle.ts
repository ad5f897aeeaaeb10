/**
 * Bundles the portable suite into plain ES modules each runtime can load, with the SDK taken
 * from the built standalone package (packages/sdk/dist/esm), not from the TypeScript sources.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

const repoRoot = resolve(import.meta.dirname, "../../..");
export const BUILT_SDK_ENTRY = join(repoRoot, "packages/sdk/dist/esm/index.js");

/** Points the suite's `src/sdk/index.js` import at the built package. */
const builtSdk: Plugin = {
  name: "built-sdk",
  setup(esbuild) {
    esbuild.onResolve({ filter: /\/src\/sdk\/index\.js$/ }, () => ({ path: BUILT_SDK_ENTRY }));
  },
};

export async function bundlePortableSuite(outDir: string) {
  if (!existsSync(BUILT_SDK_ENTRY)) {
    throw new Error("packages/sdk is not built: run `npm run build:sdk` first");
  }
  await build({
    entryPoints: {
      "cli-suite": join(repoRoot, "test/sdk/portable/cli-entry.ts"),
      "worker-suite": join(repoRoot, "test/sdk/portable/worker-entry.ts"),
    },
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    plugins: [builtSdk],
    logLevel: "silent",
  });
  return { cli: join(outDir, "cli-suite.mjs"), worker: join(outDir, "worker-suite.mjs") };
}
