import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestDatabase } from "./test-databases.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * A replica that stalls on purpose, as a real process on the test's database (`script`, run
 * with tsx from the repository root): resolves with the first JSON line it prints (what it
 * did, e.g. the event it holds) once it has printed it, and `kill` SIGKILLs it, as a crash.
 */
export async function startStallingChild<Started>(
  script: string,
  database: TestDatabase,
  env: Record<string, string>,
): Promise<Started & { kill(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.databaseUrl ?? "",
      DATA_DIR: database.dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const started = await new Promise<Started>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const line = output.split("\n")[0];
      if (output.includes("\n") && line) resolve(JSON.parse(line));
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return {
    ...started,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
