// Helpers for benchmarks whose servers run as child processes of the benchmark file itself
// (so no server shares a thread with the load generator): start a role, read its ready line,
// measure its CPU, put load on it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

/**
 * Starts `script` with `args` in a child process and resolves once it prints a JSON line with
 * `ready: true` (other lines are read and dropped, so a full pipe never blocks it). The child
 * stops when its stdin ends; `stop()` does that and waits. A child that fails ends the run.
 */
export async function startRole(script, args, env = {}, nodeArgs = cpuProfileArgs()) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.on("exit", (code) => {
    if (code !== 0 && code !== null) {
      console.error(`bench child ${args.join(" ")} exited with ${code}`);
      process.exit(1);
    }
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve) => {
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

/** BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there when it stops. */
function cpuProfileArgs() {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ["--cpu-prof", "--cpu-prof-dir", dir] : [];
}

/** In a child started by `startRole`: announce readiness, then wait for the parent to let go. */
export async function serveUntilParentLeaves(info, close) {
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

/**
 * autocannon against one URL; rejects when any answer was not 2xx. Resolves requests/s,
 * latency (ms: mean, p50, p99) and, given `pid`, the server's CPU µs per request. `background`
 * ({ url, headers, connections }) is loaded at the same time and only checked for errors: the
 * work the measured server's neighbours do meanwhile.
 */
export async function measure({ url, headers = {}, connections, seconds, pid, background }) {
  const cpuBefore = pid === undefined ? undefined : cpuMsOf(pid);
  const [result] = await Promise.all([
    cannon({ url, headers, connections, duration: seconds }),
    background ? cannon({ ...background, duration: seconds }) : undefined,
  ]);
  const cpuAfter = pid === undefined ? undefined : cpuMsOf(pid);
  return {
    rps: result.requests.average,
    mean: result.latency.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequestUs:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
  };
}

async function cannon(options) {
  const result = await new Promise((resolve, reject) => {
    autocannon(options, (error, value) => (error ? reject(error) : resolve(value)));
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${options.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}
