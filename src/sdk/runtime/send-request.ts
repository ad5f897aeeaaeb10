/**
 * The one request pipeline every operation goes through: URL, query and body from the
 * operation table, authentication, idempotency key, timeout, retries, hooks, error mapping.
 * It runs on every call, so it allocates only what the call uses (no hook events without
 * hooks, no `Headers` object for ordinary headers).
 */
import { formatIdempotencyKey, newIdempotencyKey } from "./idempotency-key.js";
import { type CompiledOperation, NO_RESPONSE, TEXT_RESPONSE } from "./operation.js";
import type {
  CallOptions,
  FetchFunction,
  FetchResponse,
  PortOneClientInit,
  RequestEvent,
} from "./options.js";
import type { RestErrorBody } from "./rest-error.js";
import {
  backoffDelayMs,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  isRetryableStatus,
  retryAfterMs,
  sleep,
} from "./retry-policy.js";
import { TimeoutGroup } from "./timeout-group.js";
import { NetworkError, RequestTimeoutError, UnexpectedResponseError } from "./transport-errors.js";
import { USER_AGENT } from "./version.js";
import { buildWireRequest } from "./wire-request.js";

// Looked up per call, so a `fetch` installed later (a polyfill, a test double) is used.
const globalFetch: FetchFunction = (url, init) => fetch(url, init);

/** An attempt's failure that may go away if the request is sent again. */
class Retryable {
  declare readonly error: Error;
  /** What the server's Retry-After asks for, if anything */
  declare readonly retryAfterMs: number | undefined;
  constructor(error: Error, retryAfterMs?: number) {
    this.error = error;
    this.retryAfterMs = retryAfterMs;
  }
}

/** For a call with the caller's signal: a signal of the attempt's own that aborts with either. */
class LinkedAbort {
  readonly #controller = new AbortController();
  readonly #signals: readonly AbortSignal[];
  readonly signal = this.#controller.signal;

  constructor(signals: readonly AbortSignal[]) {
    this.#signals = signals;
    // This object is the listener (handleEvent): no closure per signal.
    for (const signal of signals) signal.addEventListener("abort", this, { once: true });
  }

  handleEvent(event: Event): void {
    this.#controller.abort((event.target as AbortSignal).reason);
  }

  release(): void {
    for (const signal of this.#signals) signal.removeEventListener("abort", this);
  }
}

export async function sendRequest(
  init: PortOneClientInit,
  op: CompiledOperation,
  args: Record<string, unknown> | undefined,
  call: CallOptions | undefined,
): Promise<unknown> {
  const wire = buildWireRequest(init, op, args ?? {});
  const headers = requestHeaders(init, op, wire.body !== undefined, call);
  const maxRetries = call?.maxRetries ?? init.maxRetries ?? DEFAULT_MAX_RETRIES;
  const timeoutMs = call?.timeoutMs ?? init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchFunction = call?.fetch ?? init.fetch ?? globalFetch;
  const signal = call?.signal;

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const event: RequestEvent | undefined =
      init.onRequest || init.onResponse
        ? { operation: op.name, method: op.method, url: wire.url, attempt }
        : undefined;
    if (event) callHook(init.onRequest, event);
    const started = event ? Date.now() : 0;
    let status: number | undefined;
    const report =
      event &&
      ((outcome: { error?: unknown }) =>
        callHook(init.onResponse, {
          ...event,
          status,
          durationMs: Date.now() - started,
          ...outcome,
        }));
    const group = TimeoutGroup.join(timeoutMs);
    const linked = signal && new LinkedAbort([signal, group.signal]);
    let retry: Retryable;
    try {
      let response: FetchResponse;
      let text: string;
      try {
        response = await fetchFunction(wire.url, {
          method: op.method,
          headers,
          body: wire.body,
          signal: linked ? linked.signal : group.signal,
        });
        status = response.status;
        text = await response.text();
      } catch (cause) {
        if (signal?.aborted) throw signal.reason;
        const details = { operation: op.name, status, cause };
        throw new Retryable(
          group.signal.aborted
            ? new RequestTimeoutError({ ...details, timeoutMs })
            : new NetworkError(details),
        );
      }
      const result = interpret(op, response, text);
      report?.({});
      return result;
    } catch (error) {
      report?.({ error: error instanceof Retryable ? error.error : error });
      if (!(error instanceof Retryable)) throw error;
      retry = error;
    } finally {
      group.leave();
      linked?.release();
    }
    if (attempt > maxRetries || retry.retryAfterMs === Infinity) throw retry.error;
    await sleep(retry.retryAfterMs ?? backoffDelayMs(attempt), signal);
  }
}

const UNSAFE_HEADER_VALUE = /[\0\r\n]/;

/**
 * The SDK's own headers as a plain object with lowercase names (what `Headers` would hold, for
 * less per call). Extra headers, and a secret `Headers` would reject, go through `Headers`: it
 * merges names case-insensitively, and a mistake (an odd name, a line break in a value) fails
 * at once with its TypeError rather than as a retried network error.
 */
function requestHeaders(
  init: PortOneClientInit,
  op: CompiledOperation,
  hasBody: boolean,
  call: CallOptions | undefined,
): Record<string, string> | Headers {
  // One key per call, reused by every retry, so a retry can never act twice.
  // Every method but GET changes something (the schema uses GET, POST, PUT, PATCH, DELETE).
  const idempotencyKey =
    op.method !== "GET"
      ? formatIdempotencyKey(call?.idempotencyKey ?? newIdempotencyKey())
      : undefined;
  const headers: Record<string, string> = { "user-agent": USER_AGENT };
  if (init.secret) headers.authorization = `PortOne ${init.secret}`;
  if (hasBody) headers["content-type"] = "application/json";
  // Already checked by formatIdempotencyKey.
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  const plainSecret = !init.secret || !UNSAFE_HEADER_VALUE.test(init.secret);
  if (!init.headers && !call?.headers && plainSecret) return headers;
  const checked = new Headers(headers);
  for (const extra of [init.headers, call?.headers]) {
    if (extra) for (const name of Object.keys(extra)) checked.set(name, extra[name] as string);
  }
  return checked;
}

function interpret(op: CompiledOperation, response: FetchResponse, text: string): unknown {
  if (response.ok) {
    if (op.flags & NO_RESPONSE) return undefined;
    if (op.flags & TEXT_RESPONSE) return text;
    const parsed = parseJson(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed;
    throw unexpected(op, response, text, "expected a JSON object");
  }
  const parsed = parseJson(text);
  const body = isErrorBody(parsed) ? parsed : undefined;
  const error: Error = body
    ? new (op.error as unknown as new (data: RestErrorBody, response: object) => Error)(body, {
        status: response.status,
        headers: response.headers,
        operation: op.name,
      })
    : unexpected(op, response, text, "expected a JSON error body with a string `type`");
  if (isRetryableStatus(response.status, body?.type)) {
    throw new Retryable(error, retryAfterMs(response.headers));
  }
  throw error;
}

function unexpected(op: CompiledOperation, response: FetchResponse, text: string, reason: string) {
  const contentType = response.headers.get("content-type") ?? undefined;
  return new UnexpectedResponseError(
    { operation: op.name, status: response.status, body: text, contentType },
    reason,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is RestErrorBody {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { type?: unknown }).type === "string"
  );
}

function callHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // A logging or metrics hook must never change the outcome of a payment call.
  }
}
