// Child processes for the service benchmarks: each server under test (and the sandbox) runs in
// its own process, so that the load generator's work and the upstream's are not counted as its.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Starts `script` with `args` and resolves the first `{"ready":true,...}` line it prints (other
 * lines, such as logs, are read and dropped). BENCH_CPU_PROF=<dir> makes every child whose
 * first argument is `--target` write a V8 CPU profile there when it stops.
 */
export async function startChild(script, args, env = {}) {
  const profile =
    process.env.BENCH_CPU_PROF && args[0] === "--target"
      ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF]
      : [];
  const child = spawn(process.execPath, [...profile, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  // The parent must not outlive a failure and leave its children running, nor the reverse.
  child.on("exit", (code) => {
    if (code !== 0 && code !== null) {
      console.error(`bench child ${args.join(" ")} exited with ${code}`);
      process.exit(1);
    }
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve) => {
    // Keep reading (and dropping log lines) so that a full pipe never blocks the child.
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      const parsed = JSON.parse(line);
      if (parsed.ready) resolve(parsed);
    });
  });
  return {
    info,
    pid: child.pid,
    async stop() {
      child.stdin.end();
      await once(child, "exit");
    },
  };
}

/** Waits for stdin to end (the parent's `stop()`), then runs `close`. */
export async function serveUntilStdinEnds(info, close) {
  process.stdout.write(`${JSON.stringify({ ready: true, ...info })}\n`);
  await once(process.stdin.resume(), "end");
  await close();
}

/** CPU time (user + system, ms) a process has used so far; undefined where /proc is missing. */
export function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Runs `task(item)` for every item, at most `concurrency` at a time. */
export async function forEachConcurrently(items, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
