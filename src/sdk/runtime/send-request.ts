/**
 * The one request pipeline every operation goes through: URL, query and body from the
 * operation table, authentication, idempotency key, timeout, retries, hooks, error mapping.
 */
import { formatIdempotencyKey, newIdempotencyKey } from "./idempotency-key.js";
import type { Operation } from "./operation.js";
import type { CallOptions, ClientOptions, FetchFunction, PortOneClientInit } from "./options.js";
import type { RestError, RestErrorBody } from "./rest-error.js";
import {
  backoffDelayMs,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  isRetryableStatus,
  retryAfterMs,
  sleep,
} from "./retry-policy.js";
import { NetworkError, RequestTimeoutError, UnexpectedResponseError } from "./transport-errors.js";
import { USER_AGENT } from "./version.js";

const DEFAULT_BASE_URL = "https://api.portone.io";
const MUTATING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type Arguments = Record<string, unknown>;

/** A request as it goes on the wire (before headers that differ per attempt). */
export interface WireRequest {
  method: string;
  url: string;
  body: string | undefined;
}

/** Builds method, URL and body exactly as @portone/server-sdk does for the same arguments. */
export function buildWireRequest(
  init: Pick<PortOneClientInit, "baseUrl" | "storeId">,
  operationName: string,
  op: Operation,
  args: Arguments,
): WireRequest {
  const space = op.route.indexOf(" ");
  const method = op.route.slice(0, space);
  const placed = new Set(op.query);
  const path = op.route.slice(space + 1).replace(/\{([^}]+)\}/g, (_, name: string) => {
    placed.add(name);
    const value = args[name];
    if (value === undefined || value === null) {
      throw new TypeError(`${operationName}: missing path parameter "${name}" in the options`);
    }
    return encodeURIComponent(String(value));
  });
  let json: string | undefined;
  if (op.body) {
    const body: Arguments = {};
    for (const [name, value] of Object.entries(args)) if (!placed.has(name)) body[name] = value;
    if (op.defaultStoreId) body.storeId = args.storeId ?? init.storeId;
    json = JSON.stringify(body);
  }
  const query: string[] = [];
  for (const name of op.query ?? []) {
    const value = name === "requestBody" && op.bodyInQuery ? json : args[name];
    if (value === undefined || value === null) continue;
    query.push(`${name}=${encodeURIComponent(String(value))}`);
  }
  const base = init.baseUrl ?? DEFAULT_BASE_URL;
  const url = new URL(query.length > 0 ? `${path}?${query.join("&")}` : path, base).href;
  return { method, url, body: op.bodyInQuery ? undefined : json };
}

/** Outcome of one attempt that may be worth repeating. */
interface RetryableFailure {
  error: Error;
  retryAfterMs: number | undefined;
}

class Retryable {
  constructor(readonly failure: RetryableFailure) {}
}

export async function sendRequest(
  init: PortOneClientInit,
  operationName: string,
  op: Operation,
  args: Arguments | undefined,
  call: CallOptions | undefined,
): Promise<unknown> {
  const wire = buildWireRequest(init, operationName, op, args ?? {});
  const headers = requestHeaders(init, wire, call);
  const maxRetries = call?.maxRetries ?? init.maxRetries ?? DEFAULT_MAX_RETRIES;
  const timeoutMs = call?.timeoutMs ?? init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchFunction: FetchFunction = call?.fetch ?? init.fetch ?? ((url, req) => fetch(url, req));
  const signal = call?.signal;

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const outcome = await attemptOnce({
      init,
      operationName,
      op,
      wire,
      headers,
      attempt,
      timeoutMs,
      fetchFunction,
      signal,
    });
    if (!(outcome instanceof Retryable)) return outcome;
    const { error, retryAfterMs: serverDelay } = outcome.failure;
    if (attempt > maxRetries || serverDelay === Number.POSITIVE_INFINITY) throw error;
    await sleep(serverDelay ?? backoffDelayMs(attempt), signal);
  }
}

function requestHeaders(
  init: PortOneClientInit,
  wire: WireRequest,
  call: CallOptions | undefined,
): Headers {
  const headers = new Headers({ "User-Agent": USER_AGENT });
  if (init.secret) headers.set("Authorization", `PortOne ${init.secret}`);
  if (wire.body !== undefined) headers.set("Content-Type", "application/json");
  if (MUTATING_METHODS.has(wire.method)) {
    // One key per call, reused by every retry, so a retry can never act twice.
    headers.set(
      "Idempotency-Key",
      formatIdempotencyKey(call?.idempotencyKey ?? newIdempotencyKey()),
    );
  }
  for (const extra of [init.headers, call?.headers]) {
    if (extra) for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  }
  return headers;
}

interface Attempt {
  init: ClientOptions;
  operationName: string;
  op: Operation;
  wire: WireRequest;
  headers: Headers;
  attempt: number;
  timeoutMs: number;
  fetchFunction: FetchFunction;
  signal: AbortSignal | undefined;
}

async function attemptOnce(a: Attempt): Promise<unknown> {
  const event = {
    operation: a.operationName,
    method: a.wire.method,
    url: a.wire.url,
    attempt: a.attempt,
  };
  callHook(a.init.onRequest, event);
  const started = Date.now();
  let status: number | undefined;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, a.timeoutMs);
  const onCallerAbort = () => controller.abort(a.signal?.reason);
  a.signal?.addEventListener("abort", onCallerAbort, { once: true });
  try {
    let response: Response;
    let text: string;
    try {
      response = await a.fetchFunction(a.wire.url, {
        method: a.wire.method,
        headers: a.headers,
        body: a.wire.body,
        signal: controller.signal,
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      if (a.signal?.aborted) throw a.signal.reason;
      const details = { operation: a.operationName, status, cause };
      throw new Retryable({
        error: timedOut
          ? new RequestTimeoutError({ ...details, timeoutMs: a.timeoutMs })
          : new NetworkError(details),
        retryAfterMs: undefined,
      });
    }
    const result = interpret(a, response, text);
    callHook(a.init.onResponse, { ...event, status, durationMs: Date.now() - started });
    return result;
  } catch (error) {
    const reported = error instanceof Retryable ? error.failure.error : error;
    callHook(a.init.onResponse, {
      ...event,
      status,
      durationMs: Date.now() - started,
      error: reported,
    });
    if (error instanceof Retryable) return error;
    throw error;
  } finally {
    clearTimeout(timer);
    a.signal?.removeEventListener("abort", onCallerAbort);
  }
}

function interpret(a: Attempt, response: Response, text: string): unknown {
  const contentType = response.headers.get("content-type") ?? undefined;
  const details = { operation: a.operationName, status: response.status, body: text, contentType };
  if (response.ok) {
    if (a.op.response === "none") return undefined;
    if (a.op.response === "text") return text;
    const parsed = parseJson(text);
    if (
      parsed === undefined ||
      typeof parsed !== "object" ||
      parsed === null ||
      Array.isArray(parsed)
    ) {
      throw new UnexpectedResponseError(details, "expected a JSON object");
    }
    return parsed;
  }
  const parsed = parseJson(text);
  const body = isErrorBody(parsed) ? parsed : undefined;
  const error: Error = body
    ? new (a.op.error as new (data: RestErrorBody, response: object) => RestError)(body, {
        status: response.status,
        headers: response.headers,
        operation: a.operationName,
      })
    : new UnexpectedResponseError(details, "expected a JSON error body with a string `type`");
  if (isRetryableStatus(response.status, body?.type)) {
    throw new Retryable({ error, retryAfterMs: retryAfterMs(response.headers) });
  }
  throw error;
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
