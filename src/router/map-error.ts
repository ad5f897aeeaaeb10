import { TRPCError } from "@trpc/server";
import type { FastifyBaseLogger } from "fastify";
import {
  ServiceError,
  type ServiceErrorKind,
  type ServiceErrorLogLevel,
} from "../service-error.js";

interface KindAnswer {
  readonly code: TRPCError["code"];
  /** The caller's own mistakes are not logged; our dependencies' failures are. */
  readonly log: ServiceErrorLogLevel;
}

/** The one place that decides which tRPC code (and so HTTP status) each kind of failure gets. */
export const ANSWER_BY_KIND: Readonly<Record<ServiceErrorKind, KindAnswer>> = {
  unauthenticated: { code: "UNAUTHORIZED", log: "none" },
  "invalid-input": { code: "BAD_REQUEST", log: "none" },
  "not-found": { code: "NOT_FOUND", log: "none" },
  conflict: { code: "CONFLICT", log: "none" },
  unavailable: { code: "SERVICE_UNAVAILABLE", log: "error" },
  timeout: { code: "GATEWAY_TIMEOUT", log: "warn" },
  "bad-gateway": { code: "BAD_GATEWAY", log: "warn" },
};

/**
 * Turns what a procedure threw into the error the browser sees: the tRPC code of its kind and
 * the service's own message. What operators need (the dependency, upstream type and status)
 * goes to the log, never into the response. Anything that is not a `ServiceError` is a bug:
 * logged with its stack, answered "Internal error.".
 */
export function toTRPCError(error: TRPCError, log: FastifyBaseLogger): TRPCError {
  const cause = error.cause;
  if (cause instanceof ServiceError) {
    const answer = ANSWER_BY_KIND[cause.kind];
    const level = cause.logLevel ?? answer.log;
    if (level !== "none")
      log[level](
        { error: cause.name, kind: cause.kind, ...cause.operatorDetails() },
        cause.message,
      );
    return new TRPCError({ code: answer.code, message: cause.message, cause });
  }
  if (error.code === "INTERNAL_SERVER_ERROR") {
    log.error({ err: cause ?? error }, "procedure failed");
    return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error.", cause });
  }
  // tRPC's own errors (bad input, unknown procedure...) already say what to fix.
  return error;
}
