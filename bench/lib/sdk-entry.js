// Where the benchmarks load this package from: through its own `exports` map (as a user
// would, `portone-bff/sdk`), which requires `npm run build` to have filled dist/.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

const packageJson = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
);

/** Fails early, with the fix, when the build or the exports map is missing. */
export function checkBuiltSdk() {
  const exportsMap = packageJson.exports ?? {};
  const missing = [];
  if (!existsSync(new URL("../../dist/sdk/index.js", import.meta.url)))
    missing.push("dist/sdk/index.js (run `npm run build`)");
  if (!exportsMap["./sdk"]) missing.push('"./sdk" in the package.json exports map');
  if (missing.length > 0) {
    throw new Error(`The SDK benchmarks import the built package; missing: ${missing.join(", ")}`);
  }
}
