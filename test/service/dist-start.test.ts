import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcClient } from "./support/harness.js";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "dist/main.js");

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs,
    );
  }
  return newest;
}

/** `npm test` builds first; a lone run of this file builds dist/ when it is missing or stale. */
function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSourceTime(join(ROOT, "src"))) return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
}

interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolveExit) =>
    child.on("exit", (code) => resolveExit(code)),
  );
  return { child, stdout, stderr, exited };
}

async function serviceUrlFrom(started: Started): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt++) {
    for (const line of started.stdout.join("").split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && entry.msg?.startsWith("portone-bff is running")) return entry.url;
    }
    if (started.child.exitCode !== null)
      throw new Error(`service exited early: ${started.stderr.join("")}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error("service did not report its URL within 30 s");
}

function sandboxUrlFrom(started: Started): string {
  for (const line of started.stdout.join("").split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { sandbox?: { api?: string } };
    if (entry.sandbox?.api) return entry.sandbox.api;
  }
  throw new Error("the service did not log its sandbox URL");
}

let dataDir: string;

beforeAll(() => {
  ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), "bff-dist-"));
}, 180_000);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("node dist/main.js (the container's start command)", () => {
  it("starts in sandbox mode, becomes ready, serves tRPC, and stops cleanly on SIGTERM", async () => {
    const started = start({
      HOST: "127.0.0.1",
      PORT: "0",
      SANDBOX_PORT: "0",
      INTERNAL_PORT: "0",
      DATA_DIR: dataDir,
    });
    try {
      const url = await serviceUrlFrom(started);
      let ready = 0;
      for (let attempt = 0; attempt < 100 && ready !== 200; attempt++) {
        ready = (await fetch(`${url}/readyz`)).status;
        if (ready !== 200) await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      }
      expect(ready).toBe(200);
      const client = trpcClient(url);
      const prepared = await client.payment.prepare.mutate({ orderId: "tshirt-dist" });
      expect(prepared.totalAmount).toBe(25_000);

      // A request still in flight when SIGTERM arrives is answered before the process exits.
      const sandboxUrl = sandboxUrlFrom(started);
      const faults = await fetch(`${sandboxUrl}/sandbox/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rules: [{ kind: "latency", ms: 1500, route: "getPayment" }] }),
      });
      expect(faults.ok).toBe(true);
      const inFlight = client.payment.get.query({
        paymentId: prepared.paymentId,
        guestToken: prepared.guestToken ?? undefined,
      });
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
      started.child.kill("SIGTERM");
      expect((await inFlight).status).toBe("PREPARED");
      const code = await started.exited;
      expect({ code, stdout: started.stdout.join("").slice(-3000) }).toMatchObject({ code: 0 });
      const lines = started.stdout
        .join("")
        .split("\n")
        .filter((line) => line.startsWith("{"));
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain("shutting down: finishing in-flight requests");
      expect(messages).toContain("stopped");
    } finally {
      if (started.child.exitCode === null) started.child.kill("SIGKILL");
    }
  });

  it("refuses to start on bad configuration with one line per problem and no secret echoed", async () => {
    const started = start({
      PORTONE_API_SECRET: "a-live-secret-that-must-not-be-printed",
      PORT: "not-a-port",
      DATA_DIR: dataDir,
    });
    expect(await started.exited).toBe(1);
    const stderr = started.stderr.join("");
    expect(stderr).toMatch(/^portone-bff: Invalid configuration:/);
    for (const variable of ["PORT", "PORTONE_STORE_ID", "PORTONE_CHANNEL_KEY", "ORDER_SOURCE_URL"])
      expect(stderr).toMatch(new RegExp(`^  - ${variable}: `, "m"));
    expect(stderr).not.toContain("a-live-secret-that-must-not-be-printed");
  });

  it("refuses to start with live settings but no secret, instead of falling back to the sandbox", async () => {
    const started = start({
      PORTONE_STORE_ID: "store-123",
      DATABASE_URL: "postgres://db.internal/bff",
      PORT: "0",
      DATA_DIR: dataDir,
    });
    expect(await started.exited).toBe(1);
    expect(started.stderr.join("")).toMatch(
      /^ {2}- PORTONE_API_SECRET: is not set, but live settings are \(PORTONE_STORE_ID, DATABASE_URL\)/m,
    );
    expect(started.stdout.join("")).not.toContain("portone-bff is running");
  });
});
