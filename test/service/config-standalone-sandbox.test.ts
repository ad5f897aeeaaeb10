import { describe, expect, it } from "vitest";
import { LOCAL_DEVELOPMENT_ORIGIN } from "../../src/config/http.js";
import {
  loadConfig,
  STANDALONE_SANDBOX_VARIABLES,
  standaloneSandboxPortOne,
  withPortOne,
} from "../../src/config.js";
import { problemsOf } from "./support/config-problems.js";

/**
 * PORTONE_SANDBOX_*: the service in sandbox mode against a sandbox running as its own process.
 * All five together, and only in sandbox mode; anything else is refused with one line per
 * problem that names the variables and never their values.
 */

const STANDALONE = {
  PORTONE_SANDBOX_URL: "http://127.0.0.1:8787/",
  PORTONE_SANDBOX_API_SECRET: "sandbox-api-secret-value-0123456789",
  PORTONE_SANDBOX_STORE_ID: "store-standalone-1",
  PORTONE_SANDBOX_CHANNEL_KEY: "channel-key-standalone-1",
  PORTONE_SANDBOX_WEBHOOK_SECRET: `whsec_${Buffer.from("standalone-webhook-secret-32-byte").toString("base64")}`,
};

describe("a standalone sandbox (PORTONE_SANDBOX_*)", () => {
  it("all five: sandbox mode against that URL, its secrets wired, no JWT, local CORS", () => {
    const config = loadConfig({ ...STANDALONE, PORTONE_WEBHOOK_SECRET: "" });
    if (config.mode !== "sandbox" || !config.standaloneSandbox)
      throw new Error(`expected a standalone sandbox in sandbox mode, got ${config.mode}`);
    expect(config.standaloneSandbox).toEqual({
      url: "http://127.0.0.1:8787",
      apiSecret: STANDALONE.PORTONE_SANDBOX_API_SECRET,
      storeId: STANDALONE.PORTONE_SANDBOX_STORE_ID,
      channelKey: STANDALONE.PORTONE_SANDBOX_CHANNEL_KEY,
      webhookSecret: STANDALONE.PORTONE_SANDBOX_WEBHOOK_SECRET,
    });
    expect(config.auth).toBeUndefined();
    expect(config.orderSource).toBeUndefined();
    expect(config.http.corsOrigins).toEqual([LOCAL_DEVELOPMENT_ORIGIN]);

    const service = withPortOne(
      config,
      standaloneSandboxPortOne(config.standaloneSandbox, config.portone),
    );
    expect(service.sandboxMode).toBe(true);
    expect(service.portone).toEqual({
      apiSecret: STANDALONE.PORTONE_SANDBOX_API_SECRET,
      baseUrl: "http://127.0.0.1:8787",
      storeId: STANDALONE.PORTONE_SANDBOX_STORE_ID,
      channelKey: STANDALONE.PORTONE_SANDBOX_CHANNEL_KEY,
      channelType: "TEST",
      webhookSecrets: [STANDALONE.PORTONE_SANDBOX_WEBHOOK_SECRET],
      timeoutMs: 60_000,
      maxRetries: 2,
    });
  });

  it("explicit PORTONE_MODE=sandbox works too, and PORTONE_WEBHOOK_SECRET is added to the sandbox's", () => {
    const config = loadConfig({
      ...STANDALONE,
      PORTONE_MODE: "sandbox",
      PORTONE_WEBHOOK_SECRET: "whsec_extra",
    });
    if (config.mode !== "sandbox" || !config.standaloneSandbox) throw new Error("not standalone");
    expect(
      standaloneSandboxPortOne(config.standaloneSandbox, config.portone).webhookSecrets,
    ).toEqual([STANDALONE.PORTONE_SANDBOX_WEBHOOK_SECRET, "whsec_extra"]);
  });

  it("without them the embedded sandbox is used, as before", () => {
    const config = loadConfig({});
    expect(config.mode === "sandbox" && config.standaloneSandbox).toBeUndefined();
  });

  it.each(STANDALONE_SANDBOX_VARIABLES)("refuses a partial set: %s missing", (missing) => {
    const env: Record<string, string> = { ...STANDALONE };
    delete env[missing];
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^${missing}: is required with PORTONE_SANDBOX_.*npm run sandbox`),
    );
  });

  it("refuses one variable alone, naming the four missing", () => {
    const problems = problemsOf({ PORTONE_SANDBOX_URL: "http://127.0.0.1:8787" });
    expect(problems.map((line) => line.split(":")[0])).toEqual(
      STANDALONE_SANDBOX_VARIABLES.filter((name) => name !== "PORTONE_SANDBOX_URL"),
    );
  });

  it("refuses them with PORTONE_MODE=live", () => {
    const problems = problemsOf({ ...STANDALONE, PORTONE_MODE: "live" });
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^PORTONE_SANDBOX_URL, PORTONE_SANDBOX_API_SECRET, .*: name a standalone sandbox, but the service is in live mode \(PORTONE_MODE=live\)/,
      ),
    );
  });

  it("refuses them with a live PortOne secret (which means live mode)", () => {
    const problems = problemsOf({ ...STANDALONE, PORTONE_API_SECRET: "live-secret-0123456789" });
    expect(problems).toContainEqual(
      expect.stringMatching(
        /standalone sandbox, but the service is in live mode \(PORTONE_API_SECRET is set\)/,
      ),
    );
  });

  it("refuses them with other live variables, as any sandbox mode does", () => {
    expect(problemsOf({ ...STANDALONE, ORDER_SOURCE_URL: "https://shop.internal/orders" })).toEqual(
      [
        expect.stringMatching(
          /^PORTONE_API_SECRET: is not set, but live settings are \(ORDER_SOURCE_URL\)/,
        ),
      ],
    );
    // Sandbox on purpose: the settings the sandbox supplies cannot be given twice.
    expect(
      problemsOf({ ...STANDALONE, PORTONE_MODE: "sandbox", PORTONE_STORE_ID: "store-live" }),
    ).toEqual([
      expect.stringMatching(
        /^PORTONE_STORE_ID: is set, but PORTONE_MODE=sandbox uses the sandbox's own/,
      ),
    ]);
  });

  it("refuses PortOne's own API as a sandbox: sandbox mode admits anonymous callers at demo prices", () => {
    for (const url of ["https://api.portone.io", "https://API.PortOne.io./", "https://portone.io"])
      expect(problemsOf({ ...STANDALONE, PORTONE_SANDBOX_URL: url })).toEqual([
        expect.stringMatching(/^PORTONE_SANDBOX_URL: points at PortOne itself, not a sandbox/),
      ]);
  });

  it("checks the URL and the webhook secret without echoing either", () => {
    const secretish = "not-base64 !! do-not-print-0123456789";
    const problems = problemsOf({
      ...STANDALONE,
      PORTONE_SANDBOX_URL: "ftp://127.0.0.1:8787",
      PORTONE_SANDBOX_WEBHOOK_SECRET: secretish,
    });
    expect(problems).toEqual([
      "PORTONE_SANDBOX_URL: must be an http(s) URL",
      "PORTONE_SANDBOX_WEBHOOK_SECRET: must be the sandbox's webhook secret as it prints it (whsec_ and base64)",
    ]);
    expect(problems.join("\n")).not.toContain(secretish);
  });
});
