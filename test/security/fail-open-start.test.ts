import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, LIVE_VARIABLES, loadConfig } from "../../src/config.js";
import { type RunningService, startFromEnv } from "../../src/main.js";
import { CapturedLogs } from "../service/support/harness.js";

/**
 * The attack: a production environment with every live variable set except the secret (a
 * typo, an unset secret in the orchestrator) used to start in sandbox mode in front of the
 * real shop, database and subscribers, with a sandbox on 0.0.0.0 whose checkout pays anything.
 */

/** A valid value for every live variable, as an operator would set it. */
const PRODUCTION: Record<(typeof LIVE_VARIABLES)[number], string> = {
  PORTONE_API_SECRET: "live-secret-value-0123456789",
  PORTONE_STORE_ID: "store-123",
  PORTONE_CHANNEL_KEY: "channel-key-123",
  PORTONE_CHANNEL_TYPE: "LIVE",
  PORTONE_BASE_URL: "https://api.portone.io",
  PORTONE_WEBHOOK_SECRET: "whsec_live",
  ORDER_SOURCE_URL: "https://shop.internal/api/orders",
  ORDER_SOURCE_TOKEN: "order-token-value-0123",
  AUTH_JWT_SECRET: "hs256-secret-with-enough-bytes-0123456789",
  AUTH_JWKS_URL: "https://idp.example/jwks.json",
  AUTH_JWT_ISSUER: "https://shop.example/auth",
  AUTH_JWT_AUDIENCE: "portone-bff",
  AUTH_CUSTOMER_CLAIM: "sub",
  DATABASE_URL: "postgres://db.internal/bff",
  WEBHOOK_SUBSCRIBERS: JSON.stringify([
    { url: "https://fulfil.internal/hooks", secret: "whsec_x" },
  ]),
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const dirs: string[] = [];
const started: RunningService[] = [];
afterAll(async () => {
  for (const running of started) await running.shutdown();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("fail-open start", () => {
  it("every live setting but the secret: start-up refuses, naming them", async () => {
    const { PORTONE_API_SECRET: _missing, AUTH_JWKS_URL: _either, ...withoutSecret } = PRODUCTION;
    const refusal = await startFromEnv({ ...withoutSecret, PORT: "0" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ConfigError);
    const problems = (refusal as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORTONE_API_SECRET: is not set, but live settings are \(/);
    for (const name of Object.keys(withoutSecret)) expect(problems[0]).toContain(name);
    // The line says how to get out, and never echoes a value.
    expect(problems[0]).toContain("PORTONE_MODE=sandbox");
    for (const value of Object.values(withoutSecret).filter((text) => text.length >= 8))
      expect(problems[0]).not.toContain(value);
  });

  it("config matrix: every non-empty subset of the live variables without the secret refuses", () => {
    const candidates = LIVE_VARIABLES.filter((name) => name !== "PORTONE_API_SECRET");
    const subsets = 2 ** candidates.length;
    let refused = 0;
    for (let mask = 1; mask < subsets; mask++) {
      const env: Record<string, string> = {};
      for (const [bit, name] of candidates.entries())
        if (mask & (1 << bit)) env[name] = PRODUCTION[name];
      const problems = problemsOf(env);
      const present = Object.keys(env);
      const refusal = problems.find((line) => line.startsWith("PORTONE_API_SECRET: is not set"));
      if (!refusal || !present.every((name) => refusal.includes(name)))
        throw new Error(`started with ${present.join(", ")}: ${problems.join(" | ")}`);
      refused += 1;
    }
    expect(refused).toBe(subsets - 1);
    expect(refused).toBe(16_383);
  });

  it("NODE_ENV=production without PORTONE_MODE refuses, even with nothing else set", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      expect.stringMatching(
        /^PORTONE_MODE: must be set \(live or sandbox\) when NODE_ENV=production/,
      ),
    ]);
    // ...and even with a complete live config: production never guesses.
    const { AUTH_JWKS_URL: _either, ...live } = PRODUCTION;
    expect(problemsOf({ ...live, NODE_ENV: "production" })[0]).toMatch(/^PORTONE_MODE:/);
    expect(problemsOf({ ...live, NODE_ENV: "production", PORTONE_MODE: "live" })).toEqual([]);
  });

  it("PORTONE_MODE=live without the secret refuses; PORTONE_MODE=sandbox with it refuses", () => {
    expect(problemsOf({ PORTONE_MODE: "live" })).toContain(
      "PORTONE_API_SECRET: is required in live mode (the V2 API secret)",
    );
    expect(
      problemsOf({ PORTONE_MODE: "sandbox", PORTONE_API_SECRET: PRODUCTION.PORTONE_API_SECRET }),
    ).toEqual([expect.stringMatching(/^PORTONE_API_SECRET: is set, but PORTONE_MODE=sandbox/)]);
    expect(problemsOf({ PORTONE_MODE: "staging" })).toEqual([
      "PORTONE_MODE: must be live or sandbox",
    ]);
  });

  it("an explicit sandbox binds loopback although HOST is 0.0.0.0, and says so loudly", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bff-fail-open-"));
    dirs.push(dataDir);
    const logs = new CapturedLogs();
    const running = await startFromEnv(
      {
        NODE_ENV: "production",
        PORTONE_MODE: "sandbox",
        HOST: "0.0.0.0",
        PORT: "0",
        SANDBOX_PORT: "0",
        INTERNAL_PORT: "0",
        DATA_DIR: dataDir,
        LOG_LEVEL: "info",
      },
      { logStream: logs },
    );
    started.push(running);
    // The sandbox listens in its own thread; the address it bound is the one it reports.
    expect(new URL(running.sandbox?.url ?? "http://missing").hostname).toBe("127.0.0.1");
    const internalAddress = running.service.internalApp.server.address() as AddressInfo;
    expect(internalAddress.address).toBe("127.0.0.1");
    const banner = logs.lines
      .map((line) => JSON.parse(line) as { msg?: string; mode?: string; level?: number })
      .find((entry) => entry.msg?.startsWith("portone-bff is running"));
    expect(banner?.mode).toBe("sandbox");
    expect(banner?.msg).toContain("SANDBOX MODE - NO REAL PAYMENTS");
    // Warn level: it stands out in a log of info lines.
    expect(banner?.level).toBe(40);
  });
});
