import { describe, expect, it } from "vitest";
import { LOCAL_DEVELOPMENT_ORIGIN } from "../../src/config/http.js";
import { loadConfig, loadStoreConfig, withPortOne } from "../../src/config.js";
import { defaultDatabaseTimeouts } from "../../src/store/database.js";
import { defaultDispatcherTuning } from "../../src/webhooks/dispatcher.js";
import { configErrorOf, problemsOf } from "./support/config-problems.js";

const LIVE = {
  PORTONE_API_SECRET: "live-secret-value-0123456789",
  PORTONE_STORE_ID: "store-123",
  PORTONE_CHANNEL_KEY: "channel-key-123",
  ORDER_SOURCE_URL: "https://shop.internal/api/orders",
  ORDER_SOURCE_TOKEN: "order-token-value-0123",
  AUTH_JWT_SECRET: "hs256-secret-with-enough-bytes-0123456789",
  AUTH_JWT_ISSUER: "https://shop.example/auth",
  AUTH_JWT_AUDIENCE: "portone-bff",
};

describe("configuration from the environment", () => {
  it("with no PortOne secret it is sandbox mode with defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 3000,
      mode: "sandbox",
      // The embedded sandbox and the internal listener bind loopback unless told otherwise.
      sandbox: { host: "127.0.0.1", port: 3001 },
      internal: { host: "127.0.0.1", port: 3002 },
      portone: { timeoutMs: 60_000, maxRetries: 2, webhookSecrets: [] },
      store: { dataDir: "./data" },
      http: {
        rateLimitMax: 300,
        bodyLimitBytes: 65_536, // Sandbox mode admits local development origins unless CORS_ORIGINS says otherwise.
        corsOrigins: [LOCAL_DEVELOPMENT_ORIGIN],
      },
      webhooks: { subscribers: [], reconcileIntervalMs: 300_000 },
    });
    expect(config.auth).toBeUndefined();
  });

  it("a complete live config is typed and normalised", () => {
    const config = loadConfig({
      ...LIVE,
      PORT: "8080",
      PORTONE_BASE_URL: "https://api.portone.io/",
      PORTONE_WEBHOOK_SECRET: "whsec_a, whsec_b",
      CORS_ORIGINS: "https://shop.example,https://m.shop.example",
      DATABASE_URL: "postgres://db.internal/bff",
      WEBHOOK_SUBSCRIBERS: JSON.stringify([
        { url: "https://fulfil.internal/hooks", events: ["Transaction.Paid"], secret: "whsec_x" },
      ]),
      ADMIN_TOKEN: "admin-token-0123456789",
    });
    if (config.mode !== "live") throw new Error("expected live mode");
    expect(config.port).toBe(8080);
    expect(config.portone).toMatchObject({
      baseUrl: "https://api.portone.io",
      channelType: "LIVE",
      webhookSecrets: ["whsec_a", "whsec_b"],
      timeoutMs: 60_000,
      maxRetries: 2,
    });
    expect(config.auth).toMatchObject({ customerClaim: "sub", issuer: LIVE.AUTH_JWT_ISSUER });
    expect(config.http.corsOrigins).toEqual(["https://shop.example", "https://m.shop.example"]);
    expect(config.store.databaseUrl).toBe("postgres://db.internal/bff");
    expect(config.webhooks.subscribers).toHaveLength(1);
    expect(config.orderSource).toEqual({
      url: LIVE.ORDER_SOURCE_URL,
      token: LIVE.ORDER_SOURCE_TOKEN,
      timeoutMs: 5_000,
    });
    const service = withPortOne(config, config.portone);
    expect(service.sandboxMode).toBe(false);
    expect(service).not.toHaveProperty("mode");
    expect(service).not.toHaveProperty("sandbox");
  });

  it("reports every problem on its own line, naming the variable", () => {
    const problems = problemsOf({
      PORTONE_API_SECRET: "live-secret-value-0123456789",
      PORT: "eighty",
      LOG_LEVEL: "loud",
      PORTONE_CHANNEL_TYPE: "PROD",
      PORTONE_TIMEOUT_MS: "5",
      DATABASE_URL: "mysql://x",
      WEBHOOK_SUBSCRIBERS: "{not json",
    });
    const variables = problems.map((line) => line.split(":")[0]);
    expect(variables).toEqual(
      expect.arrayContaining([
        "PORT",
        "LOG_LEVEL",
        "PORTONE_CHANNEL_TYPE",
        "PORTONE_TIMEOUT_MS",
        "DATABASE_URL",
        "WEBHOOK_SUBSCRIBERS",
      ]),
    );
    expect(problems.find((line) => line.startsWith("PORT:"))).toBe("PORT: must be a whole number");
    expect(problems.find((line) => line.startsWith("PORTONE_TIMEOUT_MS"))).toBe(
      "PORTONE_TIMEOUT_MS: must be at least 100",
    );
  });

  it("a live config says what is missing", () => {
    const problems = problemsOf({ PORTONE_API_SECRET: "live-secret-value-0123456789" });
    expect(problems.map((line) => line.split(":")[0]).sort()).toEqual(
      ["AUTH_JWT_SECRET", "ORDER_SOURCE_URL", "PORTONE_CHANNEL_KEY", "PORTONE_STORE_ID"].sort(),
    );
    expect(problems.join("\n")).toMatch(/AUTH_JWT_SECRET: set AUTH_JWT_SECRET or AUTH_JWKS_URL/);
  });

  it("checks JWT settings: short secrets, both verifiers, missing issuer/audience", () => {
    const problems = problemsOf({
      ...LIVE,
      AUTH_JWT_SECRET: "short",
      AUTH_JWKS_URL: "https://idp.example/jwks.json",
      AUTH_JWT_ISSUER: "",
      AUTH_JWT_AUDIENCE: "",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "AUTH_JWKS_URL: set either AUTH_JWT_SECRET or AUTH_JWKS_URL, not both",
        "AUTH_JWT_SECRET: must be at least 32 bytes for HS256",
        "AUTH_JWT_ISSUER: is required with JWT authentication (the expected `iss`)",
        "AUTH_JWT_AUDIENCE: is required with JWT authentication (the expected `aud`)",
      ]),
    );
  });

  it("validates webhook subscribers inside the JSON", () => {
    const problems = problemsOf({
      // Subscribers are a live setting: without the secret only an explicit sandbox may have them.
      PORTONE_MODE: "sandbox",
      WEBHOOK_SUBSCRIBERS: JSON.stringify([{ url: "ftp://x", secret: "" }]),
    });
    expect(problems.every((line) => line.startsWith("WEBHOOK_SUBSCRIBERS:"))).toBe(true);
    expect(problems.join("\n")).toMatch(/at 0\.url/);
    expect(problems.join("\n")).toMatch(/at 0\.secret/);
  });

  it("never echoes a value, secret or not, in its messages", () => {
    const secretish = "sk_live_do_not_print_me_0123456789";
    const error = configErrorOf({
      PORTONE_API_SECRET: secretish,
      AUTH_JWT_SECRET: "short-but-secret-xyz",
      PORTONE_BASE_URL: `not a url ${secretish}`,
      ADMIN_TOKEN: "tiny",
      WEBHOOK_SUBSCRIBERS: `[{"url":"${secretish}","secret":"${secretish}"}]`,
      PORT: secretish,
    });
    expect(error.problems.length).toBeGreaterThan(4);
    expect(error.message).not.toContain(secretish);
    expect(error.message).not.toContain("short-but-secret-xyz");
    expect(error.message).not.toContain("tiny");
  });

  it("HTTP timeouts, batch size and JWT lifetime have safe defaults and are checked", () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({
      maxBatchSize: 10,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      connectionTimeoutMs: 300_000,
      keepAliveTimeoutMs: 72_000,
      readinessTimeoutMs: 2_000,
    });
    // A shorter request timeout pulls the default headers timeout down with it.
    expect(loadConfig({ REQUEST_TIMEOUT_MS: "4000" }).http.headersTimeoutMs).toBe(4_000);
    expect(problemsOf({ REQUEST_TIMEOUT_MS: "4000", HEADERS_TIMEOUT_MS: "5000" })).toEqual([
      "HEADERS_TIMEOUT_MS: must be at most REQUEST_TIMEOUT_MS (headers are part of the request)",
    ]);
    expect(problemsOf({ MAX_BATCH_SIZE: "0" })).toEqual(["MAX_BATCH_SIZE: must be at least 1"]);
    const live = loadConfig(LIVE);
    expect(live.auth).toMatchObject({ maxTokenLifetimeSeconds: 86_400, clockToleranceSeconds: 5 });
    expect(problemsOf({ ...LIVE, AUTH_CLOCK_TOLERANCE_S: "3600" })).toEqual([
      "AUTH_CLOCK_TOLERANCE_S: must be at most 300",
    ]);
  });

  it("PAYMENT_SYNC_INTERVAL_MS defaults to 2 s, allows 0 and refuses junk", () => {
    expect(loadConfig({}).payments).toEqual({ syncIntervalMs: 2_000 });
    expect(loadConfig({ PAYMENT_SYNC_INTERVAL_MS: "0" }).payments.syncIntervalMs).toBe(0);
    expect(loadConfig({ ...LIVE, PAYMENT_SYNC_INTERVAL_MS: "500" }).payments.syncIntervalMs).toBe(
      500,
    );
    expect(problemsOf({ PAYMENT_SYNC_INTERVAL_MS: "-1" })).toEqual([
      "PAYMENT_SYNC_INTERVAL_MS: must be at least 0",
    ]);
    expect(problemsOf({ PAYMENT_SYNC_INTERVAL_MS: "3600001" })).toEqual([
      "PAYMENT_SYNC_INTERVAL_MS: must be at most 3600000",
    ]);
    expect(problemsOf({ PAYMENT_SYNC_INTERVAL_MS: "2s" })).toEqual([
      "PAYMENT_SYNC_INTERVAL_MS: must be a whole number",
    ]);
  });

  it("config produces the dispatcher's complete tuning", () => {
    const { tuning } = loadConfig({
      WEBHOOK_MAX_ATTEMPTS: "3",
      WEBHOOK_RETRY_BASE_MS: "50",
      WEBHOOK_LEASE_MS: "2000",
    }).webhooks;
    expect(tuning).toEqual({
      ...defaultDispatcherTuning,
      delivery: { ...defaultDispatcherTuning.delivery, maxAttempts: 3, baseDelayMs: 50 },
      leaseMs: 2_000,
    });
  });

  it("the store section loads on its own (the operator CLI uses it)", () => {
    expect(loadStoreConfig({ DATA_DIR: "/var/lib/bff", PORT: "not checked here" })).toEqual({
      value: { dataDir: "/var/lib/bff", timeouts: defaultDatabaseTimeouts },
      problems: [],
    });
    expect(loadStoreConfig({ DATABASE_URL: "mysql://x" }).problems).toEqual([
      "DATABASE_URL: must be a postgres:// URL (unset it for SQLite)",
    ]);
  });
});
