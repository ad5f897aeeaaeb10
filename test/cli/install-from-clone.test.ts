import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

/**
 * The package is not on the npm registry: the README says to install it from a clone. This
 * does that on a fresh clone of this repository (its committed state, no dist/): the clone's
 * `prepare` builds dist/, and a new project imports `portone-bff/sdk` (ES modules and
 * CommonJS) and runs the `portone-bff` command. node_modules of the clone comes from this
 * checkout (a symlink) instead of `npm ci`'s download.
 */
describe("npm install /path/to/clone", () => {
  const dir = mkdtempSync(join(tmpdir(), "bff-install-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("builds the clone and gives a project portone-bff/sdk and the portone-bff command", {
    timeout: 240_000,
  }, async () => {
    const clone = join(dir, "portone-bff");
    await run("git", ["clone", "--quiet", process.cwd(), clone]);
    symlinkSync(join(process.cwd(), "node_modules"), join(clone, "node_modules"));
    expect(existsSync(join(clone, "dist"))).toBe(false);

    const project = join(dir, "shop");
    await run("mkdir", [project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "shop", version: "1.0.0", private: true, type: "module" }),
    );
    const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false" };
    await run("npm", ["install", "--prefer-offline", clone], { cwd: project, env });
    expect(existsSync(join(clone, "dist", "sdk", "index.js"))).toBe(true);

    const esm = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { PortOneClient, Webhook } from "portone-bff/sdk";
         const secret = "whsec_" + Buffer.from("install-test-secret-of-32-bytes!").toString("base64");
         const client = PortOneClient({ secret: "x", storeId: "store-x" });
         const body = JSON.stringify({ type: "Transaction.Paid", timestamp: new Date().toISOString(), data: { paymentId: "p-1", storeId: "store-x", transactionId: "t-1" } });
         const headers = await Webhook.sign(secret, body, { id: "msg_1" });
         const verified = await Webhook.verify(secret, body, headers);
         console.log(typeof client.payment.getPayment, verified.type);`,
      ],
      { cwd: project },
    );
    expect(esm.stdout.trim()).toBe("function Transaction.Paid");

    const cjs = await run(
      process.execPath,
      ["-e", `console.log(typeof require("portone-bff/sdk").PortOneClient)`],
      { cwd: project },
    );
    expect(cjs.stdout.trim()).toBe("function");

    const help = await run("npx", ["--no-install", "portone-bff", "--help"], { cwd: project, env });
    expect(help.stdout).toMatch(/Usage: portone-bff \[command\]/);
    expect(help.stdout).toMatch(/ {2}trigger /);
  });
});
