import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

/**
 * The README's Quick start in the order people type it, on a fresh clone of this repository:
 * `npm start`, wait for health, Ctrl-C, then the test command's lint step. It used to fail on the
 * sandbox's state file and print the sandbox's secrets in the lint diff. node_modules comes
 * from this checkout (a symlink) instead of a download; the ports are free ones, not 3000-3002,
 * as other suites run beside it.
 */
describe("Quick start on a fresh clone", () => {
  const dir = mkdtempSync(join(tmpdir(), "bff-quick-start-"));
  let child: ChildProcess | undefined;
  afterAll(() => {
    // Still running only if it neither exited nor died of a signal (npm's `sh -c` dies of the
    // SIGINT it was sent, and a group that is gone cannot be killed: ESRCH).
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("npm start, health, Ctrl-C, npm run lint: passes and prints no secret", {
    timeout: 240_000,
  }, async () => {
    const clone = join(dir, "portone-bff");
    await run("git", ["clone", "--quiet", process.cwd(), clone]);
    symlinkSync(join(process.cwd(), "node_modules"), join(clone, "node_modules"));
    // ../shared holds the OpenAPI document some scripts read; a clone sits next to it only here.
    if (existsSync(join(process.cwd(), "..", "shared")))
      symlinkSync(join(process.cwd(), "..", "shared"), join(dir, "shared"));

    child = spawn("npm", ["start"], {
      cwd: clone,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? dir,
        PORT: "0",
        SANDBOX_PORT: "0",
        INTERNAL_PORT: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, like a shell job: Ctrl-C signals the whole group.
      detached: true,
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no banner within 180 s:\n${output}`)),
        180_000,
      );
      const look = () => {
        const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      };
      child?.stdout?.on("data", look);
      child?.once("exit", () => reject(new Error(`npm start exited:\n${output}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // Ctrl-C: the terminal sends SIGINT to the foreground process group (npm and the service);
    // the service stops gracefully.
    const exited = new Promise<number | null>((resolve) =>
      child?.once("exit", (code) => resolve(code)),
    );
    process.kill(-(child.pid as number), "SIGINT");
    await exited;

    const state = JSON.parse(readFileSync(join(clone, "data", "sandbox-state.json"), "utf8")) as {
      credentials: { apiSecret: string; webhookSecret: string };
    };
    const lint = await run("npm", ["run", "lint"], { cwd: clone }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    const lintOutput = `${lint.stdout}${lint.stderr}`;
    expect("code" in lint ? lint.code : 0, lintOutput).toBe(0);
    expect(lintOutput).not.toContain(state.credentials.apiSecret);
    expect(lintOutput).not.toContain(state.credentials.webhookSecret.replace(/^whsec_/, ""));
  });
});
