import { PortOneError } from "./port-one-error.js";

/** What a transport error knows about the call that failed. */
export interface TransportErrorDetails {
  /** operationId, e.g. `getPayment` */
  operation: string;
  /** HTTP status, when a response arrived */
  status?: number;
  cause?: unknown;
}

/** The request (one attempt, including reading the body) took longer than `timeoutMs`. */
export class RequestTimeoutError extends PortOneError {
  readonly operation: string;
  /** Set when the headers arrived but the body did not in time. */
  readonly status: number | undefined;
  readonly timeoutMs: number;

  constructor(details: TransportErrorDetails & { timeoutMs: number }) {
    // A mutating call may still complete on PortOne's side: retrying it with the same
    // idempotencyKey returns its outcome.
    super(`${details.operation}: timed out after ${details.timeoutMs} ms`, {
      cause: details.cause,
    });
    this.name = "RequestTimeoutError";
    this.operation = details.operation;
    this.status = details.status;
    this.timeoutMs = details.timeoutMs;
  }
}

/** No (complete) HTTP response: DNS failure, refused or reset connection, TLS failure, ... */
export class NetworkError extends PortOneError {
  readonly operation: string;
  /** Set when the connection failed after the status line arrived. */
  readonly status: number | undefined;

  constructor(details: TransportErrorDetails) {
    const reason = details.cause instanceof Error ? `: ${details.cause.message}` : "";
    super(`${details.operation}: could not reach PortOne${reason}`, { cause: details.cause });
    this.name = "NetworkError";
    this.operation = details.operation;
    this.status = details.status;
  }
}

/** Longest part of an unexpected body kept on the error (bodies may hold personal data). */
const SNIPPET_LENGTH = 200;

/**
 * A response this SDK cannot interpret: a non-JSON body such as a gateway's HTML 502, or JSON
 * that is not what the schema describes. Only a short snippet of the body is kept.
 */
export class UnexpectedResponseError extends PortOneError {
  readonly operation: string;
  readonly status: number | undefined;
  readonly contentType: string | undefined;
  /** The first characters of the body */
  readonly bodySnippet: string;

  constructor(
    details: TransportErrorDetails & { body: string; contentType?: string | undefined },
    reason: string,
  ) {
    super(`${details.operation}: unexpected response (HTTP ${details.status ?? "?"}): ${reason}`, {
      cause: details.cause,
    });
    this.name = "UnexpectedResponseError";
    this.operation = details.operation;
    this.status = details.status;
    this.contentType = details.contentType;
    this.bodySnippet = details.body.slice(0, SNIPPET_LENGTH);
  }
}
