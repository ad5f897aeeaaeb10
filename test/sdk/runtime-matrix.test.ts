/**
 * The SDK's portable test core (test/sdk/portable) on every runtime its users deploy to:
 * Node 20 (this process's node) and 22, Deno, Bun and Cloudflare's workerd. The suite is
 * bundled against the built standalone package and reports back to a control server; each
 * runtime gets its own server and reports its own pass count.
 *
 * The runtimes come from the npm registry into test/sdk/runtimes (`npm run runtimes:install`),
 * apart from the repository's node_modules so that Node 22's `node` never shadows Node 20.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundlePortableSuite } from "./portable/bundle.js";
import { type ControlServer, startControlServer } from "./portable/control-server.js";
import type { Report } from "./portable/harness.js";
import { portableCases } from "./portable/suite.js";

const runtimesBin = resolve(import.meta.dirname, "runtimes/node_modules/.bin");
const INSTALL_HINT =
  "install the runtimes with `npm run runtimes:install` (npm ci in test/sdk/runtimes)";

interface Runtime {
  name: string;
  /** What the runtime's own report must say it is. */
  expectVersion: RegExp;
  binary: string;
  args(files: SuiteFiles, control: ControlServer): Promise<string[]>;
}

interface SuiteFiles {
  dir: string;
  cli: string;
  worker: string;
}

/** workerd's config: the bundled worker, the control URL as a binding, loopback-only outbound. */
async function workerdConfig(files: SuiteFiles, control: ControlServer): Promise<string> {
  const path = join(files.dir, `workerd-${new URL(control.baseUrl).port}.capnp`);
  await writeFile(
    path,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "suite", worker = .suite),
    (name = "loopback", network = (allow = ["local"])),
  ],
);
const suite :Workerd.Worker = (
  modules = [(name = "worker-suite.mjs", esModule = embed "worker-suite.mjs")],
  compatibilityDate = "2025-09-01",
  bindings = [(name = "CONTROL_URL", text = ${JSON.stringify(control.baseUrl)})],
  globalOutbound = "loopback",
);
`,
  );
  return path;
}

const RUNTIMES: Runtime[] = [
  {
    name: "Node 20",
    expectVersion: /^node 20\./,
    binary: process.execPath,
    args: async (files, control) => [files.cli, "node20", control.baseUrl],
  },
  {
    name: "Node 22",
    expectVersion: /^node 22\./,
    binary: join(runtimesBin, "node"),
    args: async (files, control) => [files.cli, "node22", control.baseUrl],
  },
  {
    name: "Deno",
    expectVersion: /^deno 2\./,
    binary: join(runtimesBin, "deno"),
    args: async (files, control) => [
      "run",
      `--allow-net=${new URL(control.baseUrl).host}`,
      files.cli,
      "deno",
      control.baseUrl,
    ],
  },
  {
    name: "Bun",
    expectVersion: /^bun 1\./,
    binary: join(runtimesBin, "bun"),
    args: async (files, control) => [files.cli, "bun", control.baseUrl],
  },
  {
    name: "workerd",
    expectVersion: /^Cloudflare-Workers$/,
    binary: join(runtimesBin, "workerd"),
    args: async (files, control) => ["test", await workerdConfig(files, control)],
  },
];

/**
 * A runtime's run takes about 2 s alone; five start at once beside the rest of the suite on a
 * shared 2-core machine, so each gets the child's own limit (it is killed then and its output
 * reported) and a margin, never the 30 s default that turns a slow start into a bare timeout.
 */
const CHILD_TIMEOUT_MS = 90_000;
const RUNTIME_TEST_TIMEOUT_MS = CHILD_TIMEOUT_MS + 30_000;

function slowest(report: Report): string {
  return Object.entries(report.durationsMs)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([name, ms]) => `${ms} ms ${name.split(":")[0]}`)
    .join(", ");
}

function run(binary: string, args: string[], cwd: string) {
  return new Promise<{ code: number | null; output: string }>((done, fail) => {
    const child = spawn(binary, args, {
      cwd,
      // Deno: no update check, its cache in the temp dir; every runtime: plain output.
      env: {
        ...process.env,
        DENO_NO_UPDATE_CHECK: "1",
        DENO_DIR: join(cwd, "deno"),
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: CHILD_TIMEOUT_MS,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, output }));
  });
}

let files: SuiteFiles;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "portone-sdk-matrix-"));
  files = { dir, ...(await bundlePortableSuite(dir)) };
}, 60_000);
afterAll(async () => {
  if (files) await rm(files.dir, { recursive: true, force: true });
});

const caseNames = portableCases.map((testCase) => testCase.name);

describe.concurrent("SDK portable core on each runtime", () => {
  it("has the cases the issue names", () => {
    for (const area of [
      "wire",
      "retries",
      "timeouts",
      "abort",
      "typed errors",
      "pagination",
      "webhook",
    ]) {
      expect(
        caseNames.some((name) => name.startsWith(`${area}:`)),
        area,
      ).toBe(true);
    }
  });

  for (const runtime of RUNTIMES) {
    it(
      `passes on ${runtime.name}`,
      async () => {
        if (!existsSync(runtime.binary)) {
          throw new Error(
            `${runtime.name} is not installed (${runtime.binary} missing): ${INSTALL_HINT}`,
          );
        }
        const control = await startControlServer();
        const started = Date.now();
        try {
          const { code, output } = await run(
            runtime.binary,
            await runtime.args(files, control),
            files.dir,
          );
          const report: Report | undefined = control.report();
          if (!report) throw new Error(`${runtime.name} sent no report (exit ${code}):\n${output}`);
          console.log(
            `${runtime.name} (${report.version}): ${report.passed.length} of ${caseNames.length} portable cases passed in ${Date.now() - started} ms; slowest: ${slowest(report)}`,
          );
          expect(report.version).toMatch(runtime.expectVersion);
          expect(report.failed).toEqual([]);
          expect(report.passed).toEqual(caseNames);
          expect(code, output).toBe(0);
        } finally {
          await control.close();
        }
      },
      RUNTIME_TEST_TIMEOUT_MS,
    );
  }
});
