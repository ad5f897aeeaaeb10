// Child processes for the benchmarks: each server under test (and the sandbox) runs in a process
// of its own, started from the benchmark's own script in a role, so that the load generator's
// work and the upstream's are never counted as the server's.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Starts `script` with `args` and resolves the first `{"ready":true,...}` line it prints (see
 * `serveUntilStdinEnds`; other lines, such as logs, are dropped unread, so that a full pipe
 * never blocks the child). `cpuProfile`: with BENCH_CPU_PROF=<dir>, the child writes a V8 CPU
 * profile there when it stops. The child stops when its stdin ends; `stop()` does that and
 * waits. A child that fails ends the whole run.
 */
export async function startChild(script, args, env = {}, { cpuProfile = false } = {}) {
  const profileDir = process.env.BENCH_CPU_PROF;
  const nodeArgs = cpuProfile && profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
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
    lines.on("line", (line) => {
      if (!line.startsWith('{"ready":true')) return;
      resolve(JSON.parse(line));
    });
  });
  // From here on the child's output (its log lines) is drained unread: the load generator shares
  // the machine's cores with the server under test, and reading every line of a server that logs
  // (a service at LOG_LEVEL=info) would slow the generator for that server alone.
  lines.close();
  child.stdout.resume();
  return {
    info,
    pid: child.pid,
    async stop() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * The child's side: prints `{ ready: true, ...info }` as one JSON line, keeps serving until the
 * parent closes stdin (its `stop()`, or its death), then runs `close`.
 */
export async function serveUntilStdinEnds(info, close) {
  process.stdout.write(`${JSON.stringify({ ready: true, ...info })}\n`);
  // Flowing, so that "end" fires when the parent closes the pipe.
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
