import { z } from "zod";
import type { ChannelType } from "./payments/ports.js";
import { type DatabaseTimeouts, defaultDatabaseTimeouts } from "./store/database.js";

export type { ChannelType };

/**
 * The service's configuration, read once from the environment at start-up.
 * `loadConfig` either returns a complete, typed config or throws a `ConfigError` listing
 * every problem on its own line, naming the variable but never echoing its value (several
 * of them are secrets).
 */

export interface WebhookSubscriberConfig {
  readonly url: string;
  /** Event types this subscriber wants (e.g. "Transaction.Paid", "Transaction.*"); all when absent. */
  readonly events?: readonly string[];
  /** Standard Webhooks secret used to sign deliveries to this subscriber. */
  readonly secret: string;
}

export interface JwtAuthConfig {
  /** HS256 shared secret; exactly one of `hs256Secret` and `jwksUrl` is set. */
  readonly hs256Secret?: string;
  readonly jwksUrl?: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claim holding the shop's customer id (default `sub`). */
  readonly customerClaim: string;
}

export interface PortOneConfig {
  readonly apiSecret: string;
  readonly baseUrl: string;
  readonly storeId: string;
  readonly channelKey: string;
  /** The channel type a paid payment must have: LIVE in production, TEST against a test channel. */
  readonly channelType: ChannelType;
  /** One or more secrets (rotation): a webhook verifies if any of them matches. */
  readonly webhookSecrets: readonly string[];
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** Everything the service needs once the PortOne side is known (real API or embedded sandbox). */
export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly trustProxy: boolean;
  /**
   * True when the service runs against its own embedded sandbox: anonymous callers are
   * allowed and the demo order catalog is used. Never true against the real API.
   */
  readonly sandboxMode: boolean;
  readonly portone: PortOneConfig;
  readonly orderSource?: {
    readonly url: string;
    readonly token?: string;
    readonly timeoutMs: number;
  };
  /** Absent only in sandbox mode. */
  readonly auth?: JwtAuthConfig;
  readonly http: {
    readonly corsOrigins: readonly string[];
    readonly rateLimitMax: number;
    readonly rateLimitWindowMs: number;
    readonly bodyLimitBytes: number;
    /** Batched tRPC GET URLs put every procedure name in one path segment. */
    readonly maxParamLength: number;
    readonly shutdownTimeoutMs: number;
  };
  readonly store: {
    readonly databaseUrl?: string;
    readonly dataDir: string;
    /** DATABASE_*_TIMEOUT_MS, DATABASE_KEEPALIVE_MS, SQLITE_BUSY_TIMEOUT_MS (src/store/database.ts). */
    readonly timeouts?: Partial<DatabaseTimeouts>;
  };
  readonly webhooks: {
    readonly subscribers: readonly WebhookSubscriberConfig[];
    readonly adminToken?: string;
    readonly reconcileIntervalMs: number;
    /** How far back each reconciliation sweep looks. */
    readonly reconcileWindowMs: number;
    /** Retry, lease and polling settings of the webhook dispatcher (src/webhooks). */
    readonly delivery: {
      readonly maxAttempts: number;
      readonly retryBaseMs: number;
      readonly retryMaxMs: number;
      readonly timeoutMs: number;
      readonly leaseMs: number;
      readonly pollIntervalMs: number;
    };
    readonly bodyLimitBytes: number;
  };
}

/** What the environment says before the embedded sandbox (if any) is started. */
export interface EnvConfig extends Omit<ServiceConfig, "portone"> {
  /** Null in sandbox mode: src/main.ts fills it in from the sandbox it starts. */
  readonly portone: PortOneConfig | null;
  readonly portoneTuning: Pick<PortOneConfig, "timeoutMs" | "maxRetries" | "webhookSecrets">;
  readonly sandboxPort: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const emptyAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const optionalText = z.preprocess(emptyAsUndefined, z.string().trim().min(1).optional());
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const optionalUrl = z.preprocess(emptyAsUndefined, httpUrl.optional());
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );
const commaList = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
);
const boolean = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(["true", "false", "1", "0"], { error: "must be true or false" })
      .default(fallback ? "true" : "false")
      .transform((value) => value === "true" || value === "1"),
  );

const subscriberSchema = z.object({
  url: httpUrl,
  events: z.array(z.string().min(1)).optional(),
  secret: z.string().min(1, { error: "secret is required" }),
});

const subscribersSchema = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .default("[]")
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({
          code: "custom",
          message: 'must be a JSON array such as [{"url":"https://...","secret":"whsec_..."}]',
        });
        return z.NEVER;
      }
    })
    .pipe(z.array(subscriberSchema, { error: "must be a JSON array of subscriber objects" })),
);

const envSchema = z.object({
  HOST: z.preprocess(emptyAsUndefined, z.string().default("0.0.0.0")),
  PORT: integer(0, 65_535, 3000),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
  ),
  TRUST_PROXY: boolean(false),

  PORTONE_API_SECRET: optionalText,
  PORTONE_BASE_URL: z.preprocess(emptyAsUndefined, httpUrl.default("https://api.portone.io")),
  PORTONE_STORE_ID: optionalText,
  PORTONE_CHANNEL_KEY: optionalText,
  PORTONE_CHANNEL_TYPE: z.preprocess(
    emptyAsUndefined,
    z.enum(["LIVE", "TEST"], { error: "must be LIVE or TEST" }).optional(),
  ),
  PORTONE_TIMEOUT_MS: integer(100, 300_000, 60_000),
  PORTONE_MAX_RETRIES: integer(0, 10, 2),
  PORTONE_WEBHOOK_SECRET: commaList,
  SANDBOX_PORT: integer(0, 65_535, 3001),

  ORDER_SOURCE_URL: optionalUrl,
  ORDER_SOURCE_TOKEN: optionalText,
  ORDER_SOURCE_TIMEOUT_MS: integer(100, 120_000, 5_000),

  AUTH_JWT_SECRET: optionalText,
  AUTH_JWKS_URL: optionalUrl,
  AUTH_JWT_ISSUER: optionalText,
  AUTH_JWT_AUDIENCE: optionalText,
  AUTH_CUSTOMER_CLAIM: z.preprocess(emptyAsUndefined, z.string().default("sub")),

  CORS_ORIGINS: commaList,
  RATE_LIMIT_MAX: integer(1, 1_000_000, 300),
  RATE_LIMIT_WINDOW_MS: integer(1_000, 3_600_000, 60_000),
  BODY_LIMIT_BYTES: integer(1_024, 10_485_760, 65_536),
  MAX_PARAM_LENGTH: integer(100, 65_535, 5_000),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000, 10_000),

  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// URL (unset it for SQLite)" })
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./data")),
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 120_000, defaultDatabaseTimeouts.connectMs),
  DATABASE_QUERY_TIMEOUT_MS: integer(100, 600_000, defaultDatabaseTimeouts.queryMs),
  DATABASE_IDLE_TIMEOUT_MS: integer(1_000, 3_600_000, defaultDatabaseTimeouts.idleMs),
  DATABASE_KEEPALIVE_MS: integer(1_000, 600_000, defaultDatabaseTimeouts.keepAliveMs),
  SQLITE_BUSY_TIMEOUT_MS: integer(0, 600_000, defaultDatabaseTimeouts.sqliteBusyMs),

  WEBHOOK_SUBSCRIBERS: subscribersSchema,
  ADMIN_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  ),
  RECONCILE_INTERVAL_MS: integer(0, 86_400_000, 300_000),
  RECONCILE_WINDOW_MS: integer(60_000, 2_592_000_000, 86_400_000),
  WEBHOOK_MAX_ATTEMPTS: integer(1, 100, 10),
  WEBHOOK_RETRY_BASE_MS: integer(1, 3_600_000, 5_000),
  WEBHOOK_RETRY_MAX_MS: integer(1, 86_400_000, 3_600_000),
  WEBHOOK_DELIVERY_TIMEOUT_MS: integer(100, 300_000, 15_000),
  WEBHOOK_LEASE_MS: integer(500, 3_600_000, 60_000),
  WEBHOOK_POLL_INTERVAL_MS: integer(10, 60_000, 1_000),
  WEBHOOK_BODY_LIMIT_BYTES: integer(1_024, 10_485_760, 65_536),
});

/**
 * Rules between variables, checked on the raw values so that they are reported together with
 * the per-variable problems (a schema refinement would only run once every field parsed).
 */
function crossVariableProblems(raw: Record<string, string | undefined>): string[] {
  const value = (name: string) => {
    const text = raw[name]?.trim();
    return text ? text : undefined;
  };
  const problems: string[] = [];
  const problem = (variable: string, message: string) => problems.push(`${variable}: ${message}`);
  if (value("PORTONE_API_SECRET")) {
    if (!value("PORTONE_STORE_ID"))
      problem("PORTONE_STORE_ID", "is required with PORTONE_API_SECRET (the browser SDK needs it)");
    if (!value("PORTONE_CHANNEL_KEY"))
      problem(
        "PORTONE_CHANNEL_KEY",
        "is required with PORTONE_API_SECRET (the channel the checkout opens)",
      );
    if (!value("ORDER_SOURCE_URL"))
      problem(
        "ORDER_SOURCE_URL",
        "is required with PORTONE_API_SECRET (the shop backend that says what an order costs)",
      );
    if (!value("AUTH_JWT_SECRET") && !value("AUTH_JWKS_URL"))
      problem(
        "AUTH_JWT_SECRET",
        "set AUTH_JWT_SECRET or AUTH_JWKS_URL: callers must be authenticated outside sandbox mode",
      );
  }
  const jwtSecret = value("AUTH_JWT_SECRET");
  if (jwtSecret && value("AUTH_JWKS_URL"))
    problem("AUTH_JWKS_URL", "set either AUTH_JWT_SECRET or AUTH_JWKS_URL, not both");
  if (jwtSecret && Buffer.byteLength(jwtSecret) < 32)
    problem("AUTH_JWT_SECRET", "must be at least 32 bytes for HS256");
  if (jwtSecret || value("AUTH_JWKS_URL")) {
    if (!value("AUTH_JWT_ISSUER"))
      problem("AUTH_JWT_ISSUER", "is required with JWT authentication (the expected `iss`)");
    if (!value("AUTH_JWT_AUDIENCE"))
      problem("AUTH_JWT_AUDIENCE", "is required with JWT authentication (the expected `aud`)");
  }
  if (value("ORDER_SOURCE_TOKEN") && !value("ORDER_SOURCE_URL"))
    problem("ORDER_SOURCE_TOKEN", "is set but ORDER_SOURCE_URL is not");
  return problems;
}

/** Parses the environment. Throws `ConfigError` with one line per problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): EnvConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const variable = issue.path.length > 0 ? String(issue.path[0]) : "environment";
        const detail = issue.path.length > 1 ? ` (at ${issue.path.slice(1).join(".")})` : "";
        return `${variable}: ${issue.message}${detail}`;
      });
  problems.push(...crossVariableProblems(env));
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const env_ = parsed.data;
  const portoneTuning = {
    timeoutMs: env_.PORTONE_TIMEOUT_MS,
    maxRetries: env_.PORTONE_MAX_RETRIES,
    webhookSecrets: env_.PORTONE_WEBHOOK_SECRET,
  };
  const portone: PortOneConfig | null =
    env_.PORTONE_API_SECRET && env_.PORTONE_STORE_ID && env_.PORTONE_CHANNEL_KEY
      ? {
          apiSecret: env_.PORTONE_API_SECRET,
          baseUrl: env_.PORTONE_BASE_URL.replace(/\/+$/, ""),
          storeId: env_.PORTONE_STORE_ID,
          channelKey: env_.PORTONE_CHANNEL_KEY,
          channelType: env_.PORTONE_CHANNEL_TYPE ?? "LIVE",
          ...portoneTuning,
        }
      : null;
  const auth: JwtAuthConfig | undefined =
    (env_.AUTH_JWT_SECRET || env_.AUTH_JWKS_URL) && env_.AUTH_JWT_ISSUER && env_.AUTH_JWT_AUDIENCE
      ? {
          ...(env_.AUTH_JWT_SECRET ? { hs256Secret: env_.AUTH_JWT_SECRET } : {}),
          ...(env_.AUTH_JWKS_URL ? { jwksUrl: env_.AUTH_JWKS_URL } : {}),
          issuer: env_.AUTH_JWT_ISSUER,
          audience: env_.AUTH_JWT_AUDIENCE,
          customerClaim: env_.AUTH_CUSTOMER_CLAIM,
        }
      : undefined;
  return {
    host: env_.HOST,
    port: env_.PORT,
    logLevel: env_.LOG_LEVEL,
    trustProxy: env_.TRUST_PROXY,
    sandboxMode: portone === null,
    portone,
    portoneTuning,
    sandboxPort: env_.SANDBOX_PORT,
    ...(env_.ORDER_SOURCE_URL
      ? {
          orderSource: {
            url: env_.ORDER_SOURCE_URL,
            ...(env_.ORDER_SOURCE_TOKEN ? { token: env_.ORDER_SOURCE_TOKEN } : {}),
            timeoutMs: env_.ORDER_SOURCE_TIMEOUT_MS,
          },
        }
      : {}),
    ...(auth ? { auth } : {}),
    http: {
      corsOrigins: env_.CORS_ORIGINS,
      rateLimitMax: env_.RATE_LIMIT_MAX,
      rateLimitWindowMs: env_.RATE_LIMIT_WINDOW_MS,
      bodyLimitBytes: env_.BODY_LIMIT_BYTES,
      maxParamLength: env_.MAX_PARAM_LENGTH,
      shutdownTimeoutMs: env_.SHUTDOWN_TIMEOUT_MS,
    },
    store: {
      ...(env_.DATABASE_URL ? { databaseUrl: env_.DATABASE_URL } : {}),
      dataDir: env_.DATA_DIR,
      timeouts: {
        connectMs: env_.DATABASE_CONNECT_TIMEOUT_MS,
        queryMs: env_.DATABASE_QUERY_TIMEOUT_MS,
        idleMs: env_.DATABASE_IDLE_TIMEOUT_MS,
        keepAliveMs: env_.DATABASE_KEEPALIVE_MS,
        sqliteBusyMs: env_.SQLITE_BUSY_TIMEOUT_MS,
      },
    },
    webhooks: {
      subscribers: env_.WEBHOOK_SUBSCRIBERS,
      ...(env_.ADMIN_TOKEN ? { adminToken: env_.ADMIN_TOKEN } : {}),
      reconcileIntervalMs: env_.RECONCILE_INTERVAL_MS,
      reconcileWindowMs: env_.RECONCILE_WINDOW_MS,
      delivery: {
        maxAttempts: env_.WEBHOOK_MAX_ATTEMPTS,
        retryBaseMs: env_.WEBHOOK_RETRY_BASE_MS,
        retryMaxMs: env_.WEBHOOK_RETRY_MAX_MS,
        timeoutMs: env_.WEBHOOK_DELIVERY_TIMEOUT_MS,
        leaseMs: env_.WEBHOOK_LEASE_MS,
        pollIntervalMs: env_.WEBHOOK_POLL_INTERVAL_MS,
      },
      bodyLimitBytes: env_.WEBHOOK_BODY_LIMIT_BYTES,
    },
  };
}

/** The config of a service talking to a known PortOne endpoint (real API or a sandbox). */
export function withPortOne(config: EnvConfig, portone: PortOneConfig): ServiceConfig {
  const { portone: _unresolved, portoneTuning: _tuning, sandboxPort: _port, ...rest } = config;
  return { ...rest, portone };
}
