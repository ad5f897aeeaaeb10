// The children of the service benchmarks (started with bench/lib/child-process.js): the
// standalone PortOne sandbox, and the service under test in live mode against it (the sandbox's
// credentials passed on in env, see `sandboxEnv`), every order one customer's, SQLite records
// in a fresh data directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveUntilStdinEnds } from "./child-process.js";

/** The JWT the benchmarks sign for their one customer, and the service checks. */
export const BENCH_AUTH = {
  secret: "benchmark-hs256-secret-0123456789-abcdef",
  issuer: "https://bench.example/auth",
  audience: "portone-bff",
  customer: "bench-customer",
};

/** Child: the standalone sandbox, announcing its URL and credentials. */
export async function serveSandboxChild() {
  const { createSandbox } = await import("../../dist/sandbox/index.js");
  const sandbox = await createSandbox();
  const url = await sandbox.listen({ port: 0, host: "127.0.0.1" });
  const { apiSecret, storeId, channelKey } = sandbox;
  await serveUntilStdinEnds({ url, apiSecret, storeId, channelKey }, () => sandbox.close());
}

/** The env that points a server child at the sandbox child announcing `sandbox`. */
export function sandboxEnv(sandbox) {
  return {
    BENCH_API_SECRET: sandbox.apiSecret,
    BENCH_PORTONE_URL: sandbox.url,
    BENCH_STORE_ID: sandbox.storeId,
    BENCH_CHANNEL_KEY: sandbox.channelKey,
  };
}

/**
 * Child: builds and serves the service from `dist` (a build's dist/ folder, e.g. main's for a
 * before/after ratio) until the parent lets go, then removes its data directory. Announces
 * `{ url }`, plus `internalUrl` with `announceInternalUrl`. With `webhooks` it mounts the
 * webhooks module as src/main.ts does (inbox, outbox of status changes, dispatcher).
 */
export async function serveServiceChild({
  dist,
  logLevel = "warn",
  orderAmount = 25_000,
  dataDirPrefix = "bff-bench-",
  announceInternalUrl = false,
  webhooks = false,
}) {
  const { loadConfig, withPortOne } = await import(`${dist}/config.js`);
  const { buildServer } = await import(`${dist}/server.js`);
  const { createInProcessOrderSource } = await import(`${dist}/payments/index.js`);
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  const env = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    INTERNAL_PORT: "0",
    LOG_LEVEL: logLevel,
    PORTONE_API_SECRET: process.env.BENCH_API_SECRET,
    PORTONE_BASE_URL: process.env.BENCH_PORTONE_URL,
    PORTONE_STORE_ID: process.env.BENCH_STORE_ID,
    PORTONE_CHANNEL_KEY: process.env.BENCH_CHANNEL_KEY,
    PORTONE_CHANNEL_TYPE: "TEST",
    ORDER_SOURCE_URL: "http://127.0.0.1:9/unused",
    AUTH_JWT_SECRET: BENCH_AUTH.secret,
    AUTH_JWT_ISSUER: BENCH_AUTH.issuer,
    AUTH_JWT_AUDIENCE: BENCH_AUTH.audience,
    RATE_LIMIT_MAX: "1000000",
    DATA_DIR: dataDir,
  });
  const orders = createInProcessOrderSource((orderId) => ({
    orderId,
    customerId: BENCH_AUTH.customer,
    orderName: "Benchmark order",
    totalAmount: orderAmount,
    currency: "KRW",
  }));
  const modules = webhooks ? [(await import(`${dist}/webhooks/module.js`)).webhooksModule()] : [];
  const service = await buildServer(withPortOne(env, env.portone), {
    orderSource: orders,
    modules,
  });
  const url = await service.listen();
  const info = announceInternalUrl ? { url, internalUrl: service.internalUrl } : { url };
  await serveUntilStdinEnds(info, async () => {
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/** A bearer token for `BENCH_AUTH.customer`, as the shop's auth would issue it. */
export async function signBenchToken() {
  const { SignJWT } = await import("jose");
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(BENCH_AUTH.customer)
    .setIssuer(BENCH_AUTH.issuer)
    .setAudience(BENCH_AUTH.audience)
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(BENCH_AUTH.secret));
}
