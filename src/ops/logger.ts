import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import pino, { type DestinationStream, type Logger } from "pino";
import { InfoLinesBatched, isFileDestination } from "./log-batching.js";

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: credentials in
 * headers, and any field named like a secret or token in the objects the service logs.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "*.authorization",
  "*.cookie",
  "*.apiSecret",
  "*.secret",
  "*.secrets",
  "*.webhookSecret",
  "*.webhookSecrets",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.paymentToken",
  "*.adminToken",
  "*.password",
  "apiSecret",
  "secret",
  "token",
  "paymentToken",
];

/**
 * The service's logger. Lines to a file descriptor (pino's own fast stream, which standard
 * output is unless pretty-printed) are written in batches, info lines at most 20 ms late, warn
 * and above at once (see `InfoLinesBatched`); any other stream gets each line as it is logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const target = destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "portone-bff" },
      timestamp: isoTimestamp,
      serializers: { req: requestWithoutQuery },
    },
    isFileDestination(target) ? new InfoLinesBatched(target) : target,
  );
}

/** pino's `isoTime` (`,"time":"<toISOString()>"`), without a Date and its formatting per line. */
function isoTimestamp(): string {
  return `,"time":"${isoTimeAt(Date.now())}"`;
}

let isoSecond = Number.NaN;
let isoSecondPrefix = "";

/**
 * `new Date(ms).toISOString()`, formatting the date and time once per second: within a second
 * only the milliseconds change ("2026-12-03T09:39:45." + "123Z").
 */
export function isoTimeAt(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoSecondPrefix = new Date(second * 1000).toISOString().slice(0, -4);
  }
  return `${isoSecondPrefix}${String(ms - second * 1000).padStart(3, "0")}Z`;
}

/**
 * Replaces Fastify's request serializer: the same fields, but the URL without its query string,
 * which carries callers' input (a tRPC query's `input`, with a guest token) into every log line.
 */
function requestWithoutQuery(request: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: request.method,
    url: request.url?.split("?", 1)[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a well-formed `x-request-id` from a proxy so logs line up; otherwise makes one. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && INCOMING_REQUEST_ID.test(incoming)
    ? incoming
    : randomUUID();
}
