import { PortOneError } from "./port-one-error.js";

/** What a transport error knows about the call that failed. */
export interface TransportErrorDetails {
  /** operationId, e.g. `getPayment` */
  operation: string;
  /** HTTP status, when a response arrived */
  status?: number;
  cause?: unknown;
}

/**
 * What the three transport errors share. Each passes its name as a string because minifiers
 * rename classes, and `name` is what a log line shows.
 */
export abstract class TransportError extends PortOneError {
  declare readonly operation: string;
  declare readonly status: number | undefined;

  constructor(name: string, message: string, details: TransportErrorDetails) {
    super(`${details.operation}: ${message}`, { cause: details.cause });
    this.name = name;
    this.operation = details.operation;
    this.status = details.status;
  }
}

/** The request (one attempt, including reading the body) took longer than `timeoutMs`. */
export class RequestTimeoutError extends TransportError {
  /** Set when the headers arrived but the body did not in time. */
  declare readonly status: number | undefined;
  declare readonly timeoutMs: number;

  constructor(details: TransportErrorDetails & { timeoutMs: number }) {
    // A mutating call may still complete on PortOne's side: retrying it with the same
    // idempotencyKey returns its outcome.
    super("RequestTimeoutError", `timed out after ${details.timeoutMs} ms`, details);
    this.timeoutMs = details.timeoutMs;
  }
}

/** No (complete) HTTP response: DNS failure, refused or reset connection, TLS failure, ... */
export class NetworkError extends TransportError {
  /** Set when the connection failed after the status line arrived. */
  declare readonly status: number | undefined;

  constructor(details: TransportErrorDetails) {
    const reason = details.cause instanceof Error ? `: ${details.cause.message}` : "";
    super("NetworkError", `could not reach PortOne${reason}`, details);
  }
}

/** Longest part of an unexpected body kept on the error (bodies may hold personal data). */
const SNIPPET_LENGTH = 200;

/**
 * A response this SDK cannot interpret: a non-JSON body such as a gateway's HTML 502, or JSON
 * that is not what the schema describes. Only a short snippet of the body is kept.
 */
export class UnexpectedResponseError extends TransportError {
  declare readonly contentType: string | undefined;
  /** The first characters of the body */
  declare readonly bodySnippet: string;

  constructor(
    details: TransportErrorDetails & { body: string; contentType?: string | undefined },
    reason: string,
  ) {
    super(
      "UnexpectedResponseError",
      `unexpected response (HTTP ${details.status ?? "?"}): ${reason}`,
      details,
    );
    this.contentType = details.contentType;
    this.bodySnippet = details.body.slice(0, SNIPPET_LENGTH);
  }
}
