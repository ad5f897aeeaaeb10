/** A `fetch`-compatible function; inject one to add proxies, tracing or a test double. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<FetchResponse>;

/** What the SDK reads of a `fetch` answer: any `Response` has it. */
export type FetchResponse = Pick<Response, "ok" | "status" | "headers" | "text">;

/** Passed to `onRequest` before each attempt. The URL never holds the API secret. */
export interface RequestEvent {
  /** operationId, e.g. `getPayment` */
  operation: string;
  method: string;
  url: string;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
}

/** Passed to `onResponse` after each attempt, successful or not. */
export interface ResponseEvent extends RequestEvent {
  /** HTTP status; undefined when no response arrived (timeout, network failure) */
  status: number | undefined;
  durationMs: number;
  /** The error this attempt ended with, if any (it may still be retried). */
  error?: unknown;
}

/** Options that apply to every call of a client. */
export interface ClientOptions {
  /** Per-attempt limit including reading the body. Default 60 000 (PortOne's recommendation). */
  timeoutMs?: number;
  /** Retries after the first attempt for transient failures. Default 2. */
  maxRetries?: number;
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Called before each attempt; exceptions thrown here are ignored. */
  onRequest?: (event: RequestEvent) => void;
  /** Called after each attempt; exceptions thrown here are ignored. */
  onResponse?: (event: ResponseEvent) => void;
}

/** First argument of every client factory: compatible with `@portone/server-sdk`, plus options. */
export interface PortOneClientInit extends ClientOptions {
  /** PortOne V2 API secret */
  secret: string;
  /** API origin; default `https://api.portone.io` */
  baseUrl?: string;
  /** Default `storeId` for request bodies (needed when acting for a sub-store). */
  storeId?: string;
}

/** Second argument of every operation: overrides for this call only. */
export interface CallOptions {
  timeoutMs?: number;
  maxRetries?: number;
  /** Cancels the call, including any wait between retries; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Idempotency key for POST/PUT/PATCH/DELETE (16-256 printable ASCII characters). By default a
   * fresh key is made per call and reused on each of its retries.
   */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  fetch?: FetchFunction;
}
