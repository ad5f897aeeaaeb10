import { TRPCError } from "@trpc/server";
import type { FastifyBaseLogger } from "fastify";
import {
  AuthenticationError,
  AuthenticationUnavailableError,
} from "../auth/authentication-error.js";
import {
  OrderAlreadySettledError,
  OrderChangedError,
  OrderNotFoundError,
  OrderSourceUnavailableError,
  PaymentConfirmationRejectedError,
  PaymentNotFoundError,
  PortOneUnavailableError,
} from "../payments/errors.js";
import { InvalidOrderError } from "../payments/order-sources/invalid-order-error.js";
import { PortOneRejection } from "../payments/portone-failure.js";
import { StoreUnavailableError } from "../store/store-errors.js";

/**
 * Turns what a procedure threw into the error the browser sees: a tRPC code and the
 * service's own message. Upstream details (PortOne's `type`, the shop's status) go to the
 * log for operators, never into the response.
 */
export function toTRPCError(error: TRPCError, log: FastifyBaseLogger): TRPCError {
  const cause = error.cause;
  const fail = (code: TRPCError["code"], message: string) =>
    new TRPCError({ code, message, cause });

  if (cause instanceof AuthenticationError) return fail("UNAUTHORIZED", cause.message);
  if (cause instanceof AuthenticationUnavailableError) {
    log.error({ err: cause.cause }, "identity provider keys could not be fetched");
    return fail("SERVICE_UNAVAILABLE", cause.message);
  }
  if (cause instanceof StoreUnavailableError) return fail("SERVICE_UNAVAILABLE", cause.message);
  if (cause instanceof OrderNotFoundError || cause instanceof PaymentNotFoundError)
    return fail("NOT_FOUND", cause.message);
  if (cause instanceof OrderAlreadySettledError || cause instanceof OrderChangedError)
    return fail("CONFLICT", cause.message);
  if (cause instanceof PaymentConfirmationRejectedError)
    return fail(
      cause.reason === "INFORMATION_MISMATCH" ? "CONFLICT" : "BAD_REQUEST",
      cause.message,
    );
  if (cause instanceof PortOneUnavailableError) {
    log.warn(
      {
        operation: cause.operation,
        kind: cause.kind,
        upstreamType: cause.upstreamType,
        upstreamStatus: cause.upstreamStatus,
      },
      "PortOne unavailable",
    );
    return fail(cause.kind === "timeout" ? "GATEWAY_TIMEOUT" : "BAD_GATEWAY", cause.message);
  }
  if (cause instanceof PortOneRejection) {
    log.error(
      { operation: cause.operation, upstreamType: cause.type, upstreamStatus: cause.status },
      "PortOne rejected a request the service made",
    );
    return fail("BAD_GATEWAY", "The payment provider refused the request; try again later.");
  }
  if (cause instanceof OrderSourceUnavailableError) {
    log.warn(
      { kind: cause.kind, upstreamStatus: cause.upstreamStatus },
      "order source unavailable",
    );
    return fail(cause.kind === "timeout" ? "GATEWAY_TIMEOUT" : "BAD_GATEWAY", cause.message);
  }
  if (cause instanceof InvalidOrderError) {
    log.error(
      { orderId: cause.orderId, problems: cause.problems },
      "order source sent an invalid order",
    );
    return fail("BAD_GATEWAY", "The shop's order service returned an unusable order.");
  }
  if (error.code === "INTERNAL_SERVER_ERROR") {
    log.error({ err: cause ?? error }, "procedure failed");
    return fail("INTERNAL_SERVER_ERROR", "Internal error.");
  }
  // tRPC's own errors (bad input, unknown procedure...) already say what to fix.
  return error;
}
