import {
  NetworkError,
  PortOneError,
  RequestTimeoutError,
  RestError,
  UnexpectedResponseError,
} from "../sdk/index.js";
import { ServiceError } from "../service-error.js";
import { PortOneUnavailableError, type UpstreamFailure } from "./errors.js";

/**
 * PortOne refused a request with one of its own error bodies (`{ type, message }`). The
 * domain inspects `type` for the cases it handles (ALREADY_PAID, PAYMENT_NOT_FOUND, ...); one
 * that reaches a caller is a request the service should not have made, hence a bug to log loudly.
 */
export class PortOneRejection extends ServiceError {
  readonly kind = "bad-gateway";
  constructor(
    readonly operation: string,
    readonly type: string,
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super("The payment provider refused the request; try again later.", options);
  }

  override operatorDetails() {
    return {
      dependency: "portone",
      operation: this.operation,
      upstreamType: this.type,
      upstreamStatus: this.status,
    };
  }

  override get logLevel() {
    return "error" as const;
  }
}

/**
 * Sorts whatever a PortOne client threw into "PortOne said no" (`PortOneRejection`) and
 * "PortOne could not be used" (`PortOneUnavailableError`), by the SDK's error classes.
 * Anything else is a bug and is returned unchanged.
 *
 * `@portone/server-sdk` (which a library user may pass as the PortOne port) shares no classes
 * with src/sdk, and the service must not import it at run time, so its two failure shapes are
 * recognised structurally: a `RestError` is an Error carrying PortOne's body `{ type: string }`
 * in `data`; a network failure is what WHATWG fetch throws, a TypeError with the socket error
 * as its `cause` (a TypeError from a bug in our own code has no cause).
 */
export function classifyPortOneError(operation: string, error: unknown): unknown {
  if (error instanceof PortOneUnavailableError || error instanceof PortOneRejection) return error;
  const status = statusOf(error);
  const unavailable = (failure: UpstreamFailure, upstreamType?: string) =>
    new PortOneUnavailableError(operation, failure, upstreamType, status, { cause: error });

  const type = restErrorType(error);
  if (type !== undefined) {
    // A 5xx with a PortOne body is still an outage from the caller's point of view.
    if (status !== undefined && status >= 500) return unavailable("bad-response", type);
    return new PortOneRejection(operation, type, status, { cause: error });
  }
  if (error instanceof RequestTimeoutError) return unavailable("timeout");
  if (error instanceof NetworkError) return unavailable("unreachable");
  if (error instanceof UnexpectedResponseError) return unavailable("bad-response");
  // Any other error of the SDK (a RestError whose type it does not recognise, ...).
  if (error instanceof PortOneError) return unavailable("bad-response");
  // @portone/server-sdk: a failed fetch, or a body that is not JSON.
  if (error instanceof TypeError && error.cause instanceof Error) return unavailable("unreachable");
  if (error instanceof SyntaxError) return unavailable("bad-response");
  return error;
}

/** Runs one PortOne call, rethrowing its failure classified. */
export async function callPortOne<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyPortOneError(operation, error);
  }
}

/** PortOne's error `type`, from src/sdk's `RestError` or the same shape of @portone/server-sdk. */
function restErrorType(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const data = error instanceof RestError ? error.data : (error as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  return typeof type === "string" ? type : undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = error instanceof Error ? (error as { status?: unknown }).status : undefined;
  return typeof status === "number" ? status : undefined;
}
