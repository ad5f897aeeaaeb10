import { z } from "zod";
import { chooseMode } from "./portone.js";
import {
  boolean,
  commaList,
  type Env,
  integer,
  loadSection,
  oneOf,
  optionalInteger,
  type Section,
  textWithDefault,
} from "./variables.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** `pretty` for people at a terminal, `json` (one object a line) for log collectors. */
export type LogFormat = "pretty" | "json";

/** Where the public listener binds, and how the process logs. */
export interface ListenerConfig {
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  /** Unset: pretty when standard output is a terminal, JSON lines otherwise. */
  readonly logFormat: LogFormat | undefined;
  readonly trustProxy: boolean;
}

/** How the public listener (what browsers and PortOne's webhooks reach) treats requests. */
export interface HttpConfig {
  /** Exact origins from CORS_ORIGINS; in sandbox mode without it, any loopback origin. */
  readonly corsOrigins: readonly (string | RegExp)[];
  /** tRPC calls (not HTTP requests: every call of a batch counts) per window and caller. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** The most calls one tRPC batch may carry; a larger batch is a 400. */
  readonly maxBatchSize: number;
  readonly bodyLimitBytes: number;
  /** Batched tRPC GET URLs put every procedure name in one path segment. */
  readonly maxParamLength: number;
  /** Time a client has to send its whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** Time a client has to send its headers; at most `requestTimeoutMs` (default: 10 s or less). */
  readonly headersTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed. */
  readonly connectionTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
  /** /readyz answers within this bound: a check that takes longer counts as failing. */
  readonly readinessTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
}

/** The internal listener: /metrics and the webhook admin routes, never exposed publicly. */
export interface InternalListenerConfig {
  readonly host: string;
  readonly port: number;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const listenerVariables = {
  HOST: textWithDefault("0.0.0.0"),
  PORT: integer(0, 65_535, 3000),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
  LOG_FORMAT: oneOf(["pretty", "json"]),
  TRUST_PROXY: boolean(false),
};

export function loadListenerConfig(env: Env): Section<ListenerConfig> {
  return loadSection(env, listenerVariables, (v) => ({
    host: v.HOST,
    port: v.PORT,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    trustProxy: v.TRUST_PROXY,
  }));
}

const httpVariables = {
  CORS_ORIGINS: commaList,
  RATE_LIMIT_MAX: integer(1, 1_000_000, 300),
  RATE_LIMIT_WINDOW_MS: integer(1_000, 3_600_000, 60_000),
  MAX_BATCH_SIZE: integer(1, 100, 10),
  BODY_LIMIT_BYTES: integer(1_024, 10_485_760, 65_536),
  MAX_PARAM_LENGTH: integer(100, 65_535, 5_000),
  REQUEST_TIMEOUT_MS: integer(100, 600_000, 30_000),
  HEADERS_TIMEOUT_MS: optionalInteger(100, 600_000),
  // Above the slowest legitimate answer: a PortOne call may take PORTONE_TIMEOUT_MS per attempt.
  CONNECTION_TIMEOUT_MS: integer(1_000, 3_600_000, 300_000),
  KEEP_ALIVE_TIMEOUT_MS: integer(100, 600_000, 72_000),
  READINESS_TIMEOUT_MS: integer(100, 60_000, 2_000),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000, 10_000),
};

/**
 * What a developer's own frontend runs on (Vite, Next, a static server: any port of this
 * machine). Admitted only in sandbox mode and only while CORS_ORIGINS is unset: a deployment
 * names its origins, and a live service never trusts "localhost" (anyone's machine is one).
 */
export const LOCAL_DEVELOPMENT_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function loadHttpConfig(env: Env): Section<HttpConfig> {
  const sandbox = chooseMode(env).mode === "sandbox";
  return loadSection(
    env,
    httpVariables,
    (v) => ({
      corsOrigins:
        v.CORS_ORIGINS.length === 0 && sandbox ? [LOCAL_DEVELOPMENT_ORIGIN] : v.CORS_ORIGINS,
      rateLimitMax: v.RATE_LIMIT_MAX,
      rateLimitWindowMs: v.RATE_LIMIT_WINDOW_MS,
      maxBatchSize: v.MAX_BATCH_SIZE,
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
      maxParamLength: v.MAX_PARAM_LENGTH,
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: v.HEADERS_TIMEOUT_MS ?? Math.min(10_000, v.REQUEST_TIMEOUT_MS),
      connectionTimeoutMs: v.CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_MS,
      readinessTimeoutMs: v.READINESS_TIMEOUT_MS,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    }),
    (value) => {
      const headers = Number(value("HEADERS_TIMEOUT_MS") ?? 0);
      const request = Number(value("REQUEST_TIMEOUT_MS") ?? 30_000);
      return headers > request
        ? [
            "HEADERS_TIMEOUT_MS: must be at most REQUEST_TIMEOUT_MS (headers are part of the request)",
          ]
        : [];
    },
  );
}

const internalVariables = {
  INTERNAL_HOST: textWithDefault("127.0.0.1"),
  INTERNAL_PORT: integer(0, 65_535, 3002),
};

export function loadInternalListenerConfig(env: Env): Section<InternalListenerConfig> {
  return loadSection(env, internalVariables, (v) => ({
    host: v.INTERNAL_HOST,
    port: v.INTERNAL_PORT,
  }));
}
