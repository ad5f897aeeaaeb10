/**
 * The standalone SDK package (packages/sdk, built by `npm run build:sdk`):
 * - its package.json has no dependencies, the root's `./sdk*` subpaths, and states the
 *   @portone/server-sdk compatibility and the schema version it was generated from;
 * - publint and @arethetypeswrong/cli find nothing wrong with it or with the root package;
 * - `deno publish --dry-run` accepts its jsr.json;
 * - a fresh directory installs the packed tarball and gets nothing else, and a program using
 *   it (ESM and CommonJS) type-checks without @types/node and runs against the sandbox.
 * Every npm call runs with `--offline`: nothing here may need the network.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSchemaPath } from "../../scripts/codegen/main.js";
import { buildSdkPackage, SDK_PACKAGE_DIR } from "../../scripts/sdk-package/build.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, "../..");
const offline = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false" };
const deno = join(repoRoot, "test/sdk/runtimes/node_modules/.bin/deno");

async function readJson(path: string) {
  return JSON.parse(await readFile(path, "utf8"));
}

/** Runs a node script of a dev dependency; the exit status and output are the answer. */
async function tool(script: string, args: string[], cwd: string) {
  try {
    const { stdout } = await run(process.execPath, [join(repoRoot, script), ...args], {
      cwd,
      env: offline,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

let work: string;
beforeAll(async () => {
  // `npm test` builds both packages first; this covers running the file on its own.
  if (!existsSync(join(repoRoot, "dist/sdk/index.js"))) {
    await run("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: repoRoot }).catch(() => {});
  }
  if (!existsSync(join(SDK_PACKAGE_DIR, "package.json"))) await buildSdkPackage();
  work = await mkdtemp(join(tmpdir(), "portone-sdk-package-"));
}, 120_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("package.json and jsr.json of @portone-bff/sdk", () => {
  it("has no dependencies of any kind and the repository's licence", async () => {
    const pkg = await readJson(join(SDK_PACKAGE_DIR, "package.json"));
    for (const field of [
      "dependencies",
      "peerDependencies",
      "optionalDependencies",
      "devDependencies",
    ]) {
      expect(pkg[field], field).toBeUndefined();
    }
    expect(pkg.license).toBe("Apache-2.0 OR MIT");
    expect((await readJson(join(repoRoot, "package.json"))).license).toBe("Apache-2.0 OR MIT");
  });

  it("exports every ./sdk subpath of the root package, renamed, and jsr.json the same ones", async () => {
    const root = await readJson(join(repoRoot, "package.json"));
    const rootSubpaths = Object.keys(root.exports)
      .filter((key) => key === "./sdk" || key.startsWith("./sdk/"))
      .map((key) => (key === "./sdk" ? "." : `.${key.slice("./sdk".length)}`));
    const pkg = await readJson(join(SDK_PACKAGE_DIR, "package.json"));
    const jsr = await readJson(join(SDK_PACKAGE_DIR, "jsr.json"));
    expect(rootSubpaths.length).toBeGreaterThan(25);
    expect(Object.keys(pkg.exports)).toEqual([...rootSubpaths, "./package.json"]);
    expect(Object.keys(jsr.exports)).toEqual(rootSubpaths);
    expect([jsr.name, jsr.version]).toEqual([pkg.name, root.version]);
    expect(pkg.version).toBe(root.version);
    for (const target of Object.values<string>(jsr.exports)) {
      expect(existsSync(join(SDK_PACKAGE_DIR, target)), target).toBe(true);
    }
  });

  it("states the @portone/server-sdk compatibility and the schema version it was generated from", async () => {
    const schema = await readJson(defaultSchemaPath());
    const pkg = await readJson(join(SDK_PACKAGE_DIR, "package.json"));
    expect(pkg.portone).toEqual({
      serverSdkCompatibility: "0.19",
      openapiVersion: schema.info.version,
    });
    const readme = await readFile(join(SDK_PACKAGE_DIR, "README.md"), "utf8");
    expect(readme).toContain(`schema version **${schema.info.version}**`);
    expect(readme).toContain("`@portone/server-sdk` 0.19");
  });
});

describe("publint and @arethetypeswrong/cli", () => {
  const publint = "node_modules/publint/src/cli.js";
  const attw = "node_modules/@arethetypeswrong/cli/dist/index.js";

  it("publint --strict finds nothing in either package", async () => {
    for (const dir of [SDK_PACKAGE_DIR, repoRoot]) {
      const result = await tool(publint, ["--strict", "."], dir);
      expect(result.output).toContain("All good!");
      expect(result.ok, result.output).toBe(true);
    }
  });

  it("attw finds no type problem: the SDK package for ESM and CommonJS, the root as ESM-only", async () => {
    // node10 resolution predates `exports`, so it cannot see subpaths of either package;
    // the root package is ESM (Node >= 20 can `require` it, which package-imports.test.ts shows).
    const [sdk, root] = await Promise.all([
      tool(attw, ["--pack", ".", "--profile", "node16", "--format", "json"], SDK_PACKAGE_DIR),
      tool(attw, ["--pack", ".", "--profile", "esm-only", "--format", "json"], repoRoot),
    ]);
    // The JSON report lists the profile's ignored resolutions too; nothing else may appear.
    const problems = (output: string, ignored: string[]) =>
      (JSON.parse(output).analysis.problems as { resolutionKind?: string }[]).filter(
        (problem) => !ignored.includes(problem.resolutionKind ?? ""),
      );
    expect(sdk.ok, sdk.output).toBe(true);
    expect(problems(sdk.output, ["node10"])).toEqual([]);
    expect(root.ok, root.output).toBe(true);
    expect(problems(root.output, ["node10", "node16-cjs"])).toEqual([]);
  }, 120_000);
});

describe("JSR", () => {
  it("deno publish --dry-run accepts the package", async () => {
    if (!existsSync(deno)) {
      throw new Error(`Deno is not installed (${deno}): run \`npm run runtimes:install\``);
    }
    // A copy outside the git work tree: the dry run then checks what would be uploaded, not git.
    const copy = join(work, "jsr");
    await cp(SDK_PACKAGE_DIR, copy, { recursive: true });
    // No --allow-slow-types: every export, the generated error classes too, has an explicit type.
    const { stdout, stderr } = await run(deno, ["publish", "--dry-run"], {
      cwd: copy,
      env: {
        ...process.env,
        DENO_NO_UPDATE_CHECK: "1",
        DENO_DIR: join(work, "deno"),
        NO_COLOR: "1",
      },
    });
    expect(`${stdout}${stderr}`).toContain("Success Dry run complete");
    expect(`${stdout}${stderr}`).toContain("src/index.ts");
  }, 60_000);
});

describe("a fresh project installing the packed tarball", () => {
  let sandbox: Sandbox;
  let sandboxUrl: string;
  let consumer: string;
  beforeAll(async () => {
    sandbox = await createSandbox({});
    sandboxUrl = await sandbox.listen({ port: 0, host: "127.0.0.1" });
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: SDK_PACKAGE_DIR,
      env: offline,
    });
    const tarball = join(work, JSON.parse(stdout)[0].filename);
    consumer = join(work, "consumer");
    await cp(join(repoRoot, "test/sdk/consumer"), consumer, { recursive: true });
    await writeFile(
      join(consumer, "package.json"),
      JSON.stringify({ name: "sdk-consumer", private: true, type: "module" }),
    );
    await run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball],
      {
        cwd: consumer,
        env: offline,
      },
    );
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
  });

  it("installs nothing but the SDK", async () => {
    const { stdout } = await run("npm", ["ls", "--all", "--json"], { cwd: consumer, env: offline });
    const tree = JSON.parse(stdout);
    expect(Object.keys(tree.dependencies)).toEqual(["@portone-bff/sdk"]);
    expect(tree.dependencies["@portone-bff/sdk"].dependencies ?? {}).toEqual({});
    const installed = await readdir(join(consumer, "node_modules"));
    expect(installed.filter((name) => !name.startsWith("."))).toEqual(["@portone-bff"]);
  });

  it("type-checks a program using it without @types/node, ESM and CommonJS", async () => {
    const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", "."], { cwd: consumer }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect("failed" in result ? result.stdout : "").toBe("");
  }, 60_000);

  it("runs that program against the sandbox", async () => {
    const args = [sandboxUrl, sandbox.apiSecret, sandbox.storeId];
    const esm = await run(process.execPath, [join(consumer, "out/program.mjs"), ...args]);
    expect(JSON.parse(esm.stdout)).toEqual({
      status: "PAID",
      total: 1000,
      missing: "PAYMENT_NOT_FOUND",
      listed: 1,
      webhook: "Transaction.Paid",
    });
    const cjs = await run(process.execPath, [join(consumer, "out/program.cjs"), ...args]);
    expect(JSON.parse(cjs.stdout)).toEqual({
      missing: "PAYMENT_NOT_FOUND",
      sameClass: true,
      guard: "function",
      verify: "function",
    });
  }, 60_000);
});
