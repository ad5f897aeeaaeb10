import { PortOneUnavailableError } from "./errors.js";

/**
 * PortOne refused a request with one of its own error bodies (`{ type, message }`). The
 * domain inspects `type` for the cases it handles (ALREADY_PAID, PAYMENT_NOT_FOUND, ...).
 */
export class PortOneRejection extends Error {
  constructor(
    readonly operation: string,
    readonly type: string,
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(`PortOne rejected ${operation}: ${type}`, options);
    this.name = "PortOneRejection";
  }
}

/**
 * Sorts whatever a PortOne client threw into "PortOne said no" (`PortOneRejection`) and
 * "PortOne could not be used" (`PortOneUnavailableError`). Duck-typed on the shapes shared by
 * src/sdk and @portone/server-sdk (`data.type`, error class names), so either client works.
 * Anything else is a bug and is returned unchanged.
 */
export function classifyPortOneError(operation: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const data = (error as { data?: unknown }).data;
  const status = numberOrUndefined((error as { status?: unknown }).status);
  if (data && typeof data === "object" && typeof (data as { type?: unknown }).type === "string") {
    const type = (data as { type: string }).type;
    // A 5xx with a PortOne body is still an outage from the caller's point of view.
    if (status !== undefined && status >= 500)
      return new PortOneUnavailableError(operation, "bad-response", type, status, { cause: error });
    return new PortOneRejection(operation, type, status, { cause: error });
  }
  switch (error.name) {
    case "RequestTimeoutError":
    case "TimeoutError":
    case "AbortError":
      return new PortOneUnavailableError(operation, "timeout", undefined, status, { cause: error });
    case "NetworkError":
      return new PortOneUnavailableError(operation, "unreachable", undefined, status, {
        cause: error,
      });
    case "UnexpectedResponseError":
    case "SyntaxError":
      return new PortOneUnavailableError(operation, "bad-response", undefined, status, {
        cause: error,
      });
  }
  if (error instanceof TypeError && /fetch failed|network/i.test(error.message))
    return new PortOneUnavailableError(operation, "unreachable", undefined, status, {
      cause: error,
    });
  if (error.name.endsWith("Error") && isPortOneErrorLike(error))
    return new PortOneUnavailableError(operation, "bad-response", undefined, status, {
      cause: error,
    });
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

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Other transport errors of the SDK carry the operation they belong to. */
function isPortOneErrorLike(error: Error): boolean {
  return typeof (error as { operation?: unknown }).operation === "string";
}
