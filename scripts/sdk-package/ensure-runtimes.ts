/**
 * Installs the SDK runtime matrix's runtimes (Node 22, Deno, Bun, workerd: npm packages with
 * their binaries inside) into test/sdk/runtimes once, so that `npm ci && npm test` on a fresh
 * machine needs no other step. npm writes node_modules/.package-lock.json only after a
 * complete install, so its presence, newer than the lockfile, means "installed".
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const runtimes = resolve(dirname(fileURLToPath(import.meta.url)), "../../test/sdk/runtimes");
const installed = join(runtimes, "node_modules/.package-lock.json");
const lockfile = join(runtimes, "package-lock.json");

if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lockfile).mtimeMs) {
  process.stdout.write("runtimes: already installed in test/sdk/runtimes\n");
} else {
  process.stdout.write(
    "runtimes: installing Node 22, Deno, Bun and workerd into test/sdk/runtimes\n",
  );
  execFileSync("npm", ["ci", "--prefix", runtimes, "--no-audit", "--no-fund"], {
    stdio: "inherit",
    timeout: 600_000,
  });
}
