/** When and how long to wait before trying a request again. */

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 60_000;

const BASE_DELAY_MS = 250;
const MAX_BACKOFF_MS = 8_000;
/** A server asking for a longer pause than this gets its error back instead of a hung call. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * 5xx bodies that are an answer from a downstream party (PG, tax service), not a transient
 * fault of PortOne: repeating the call would only replay the same answer.
 */
const DOWNSTREAM_ANSWER_TYPES: ReadonlySet<string> = new Set([
  "PG_PROVIDER",
  "CHANNEL_SPECIFIC",
  "B2B_EXTERNAL_SERVICE",
  "B2B_COUNTERPARTY_NTS_CONNECTION_FAILED",
  "PLATFORM_EXTERNAL_API_FAILED",
]);

/** Whether an HTTP error response may succeed if sent again. */
export function isRetryableStatus(status: number, errorType: string | undefined): boolean {
  if (status === 429) return true;
  if (status === 409) return errorType === "IDEMPOTENCY_OUTSTANDING_REQUEST";
  if (status >= 500) return errorType === undefined || !DOWNSTREAM_ANSWER_TYPES.has(errorType);
  return false;
}

/** The first delay and the largest one of an exponential backoff. */
export interface BackoffBounds {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

const SDK_BACKOFF: BackoffBounds = { baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_BACKOFF_MS };

/**
 * Exponential backoff with "equal jitter": retry n waits between half and all of
 * base * 2^(n-1) (capped), so retries that failed together spread out yet never come back
 * at once. The one formula of the package: the service's webhook retries use it too.
 */
export function backoffDelayMs(
  retry: number,
  random: () => number = Math.random,
  bounds: BackoffBounds = SDK_BACKOFF,
): number {
  const ceiling = Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * Reads `Retry-After` (seconds or an HTTP date). Returns undefined when absent or unreadable,
 * and Infinity when the server asks for a longer wait than this client is willing to make.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - now);
  }
  return ms > MAX_RETRY_AFTER_MS ? Infinity : ms;
}

/** Waits, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // Throwing here rejects the promise with the signal's reason.
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
