// Start-up shared by the benchmarks that run each server in a child process of their own
// script, so that a server never shares a thread with the load generator.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/**
 * Runs `script` with `args` in a child process and resolves once it printed its first line,
 * a JSON object describing itself (e.g. `{ url }`). The child stops when its stdin ends.
 */
export async function startChild(script, args, env = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = await once(lines, "line");
  lines.on("line", () => {});
  return {
    info: JSON.parse(line),
    pid: child.pid,
    async stop() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * The child's side: prints `info` as one JSON line, then keeps serving until the parent closes
 * stdin (or dies), and runs `cleanup`.
 */
export async function serveUntilStdinEnds(info, cleanup) {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  // Flowing, so that "end" fires when the parent closes the pipe.
  process.stdin.resume();
  await once(process.stdin, "end");
  await cleanup();
}
