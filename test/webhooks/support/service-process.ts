import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ServiceProcess {
  readonly url: string;
  /** The internal listener (/metrics, admin routes). */
  readonly internalUrl: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr. */
  readonly output: string[];
  /** Kills with SIGKILL (a crash: nothing runs after it) and waits for the exit. */
  crash(): Promise<void>;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<void>;
}

/**
 * Runs the service as an operator would (src/main.ts via tsx, configured only by env), so that
 * killing it is a real crash of a real process.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  timeoutMs = 45_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    // Replicas run side by side: the internal listener takes any free port unless told otherwise.
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", INTERNAL_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { url, internalUrl } = await new Promise<{ url: string; internalUrl: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`service did not start within ${timeoutMs} ms:\n${output.join("")}`));
      }, timeoutMs);
      let buffered = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        output.push(text);
        buffered += text;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          try {
            const entry = JSON.parse(line) as { msg?: string; url?: string; internalUrl?: string };
            if (entry.msg?.startsWith("portone-bff is running") && entry.url && entry.internalUrl) {
              clearTimeout(timer);
              resolve({ url: entry.url, internalUrl: entry.internalUrl });
            }
          } catch {
            // not a JSON log line
          }
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`service exited (${code}) before it was ready:\n${output.join("")}`));
      });
    },
  );
  return {
    url,
    internalUrl,
    child,
    output,
    async crash() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
