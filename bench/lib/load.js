// Load for the benchmarks whose servers run as child processes (bench/lib/child-process.js):
// autocannon against one server, with that server's CPU per request read from /proc.
import autocannon from "autocannon";
import { cpuMsOf } from "./child-process.js";

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
