import {
  ServiceError,
  type ServiceErrorKind,
  type ServiceErrorLogLevel,
} from "../service-error.js";

/**
 * What can go wrong in the payment domain, in the service's own words. Each is a
 * `ServiceError` whose `kind` decides the tRPC code; none of the messages carry upstream
 * bodies or secrets.
 */

/** The order does not exist, or belongs to someone else (the caller must not learn which). */
export class OrderNotFoundError extends ServiceError {
  readonly kind = "not-found";
  constructor(readonly orderId: string) {
    super("Order not found. Check the order id.");
  }
}

/**
 * Unknown to this service, or not the caller's (the caller must not learn which). Named apart
 * from the SDK's `PaymentNotFoundError`, which is PortOne's error body for its own lookups.
 */
export class UnknownPaymentError extends ServiceError {
  readonly kind = "not-found";
  constructor(readonly paymentId: string) {
    super("Payment not found. Prepare it with payment.prepare first.");
  }
}

/** The order can no longer be paid: it was paid, cancelled, or flagged as mismatched. */
export class OrderAlreadySettledError extends ServiceError {
  readonly kind = "conflict";
  constructor(
    readonly orderId: string,
    readonly status: string,
  ) {
    super(
      status === "MISMATCH"
        ? "This order's payment did not match the order and is under review; it cannot be paid again."
        : "This order has already been paid or cancelled; it cannot be paid again.",
    );
  }
}

/** The shop changed the order's amount or currency after its payment was prepared. */
export class OrderChangedError extends ServiceError {
  readonly kind = "conflict";
  constructor(readonly orderId: string) {
    super(
      "The order's amount or currency changed after its payment was prepared; create a new order to pay the new amount.",
    );
  }
}

export type ConfirmRejection = "INFORMATION_MISMATCH" | "INVALID_PAYMENT_TOKEN";

/** PortOne refused a manual confirmation; the payment was not confirmed. */
export class PaymentConfirmationRejectedError extends ServiceError {
  readonly kind: ServiceErrorKind;
  constructor(readonly reason: ConfirmRejection) {
    super(
      reason === "INFORMATION_MISMATCH"
        ? "The payment does not match its order (amount, currency or transaction); it was not confirmed."
        : "The payment token is invalid or expired; restart the checkout.",
    );
    // A mismatch is the payment's state; a bad token is the caller's input.
    this.kind = reason === "INFORMATION_MISMATCH" ? "conflict" : "invalid-input";
  }
}

export type UpstreamFailure = "timeout" | "unreachable" | "bad-response" | "rejected";

/** A dependency that timed out is a gateway timeout; every other failure a bad gateway. */
function kindOfUpstreamFailure(failure: UpstreamFailure): ServiceErrorKind {
  return failure === "timeout" ? "timeout" : "bad-gateway";
}

/** PortOne could not be used: it timed out, was unreachable, answered garbage, or refused us. */
export class PortOneUnavailableError extends ServiceError {
  readonly kind: ServiceErrorKind;
  constructor(
    readonly operation: string,
    readonly failure: UpstreamFailure,
    /** PortOne's error `type` when it answered with one (for logs and metrics, never for callers). */
    readonly upstreamType?: string,
    readonly upstreamStatus?: number,
    options?: ErrorOptions,
  ) {
    super(
      failure === "timeout"
        ? "The payment provider did not answer in time; try again shortly."
        : "The payment provider is unavailable right now; try again shortly.",
      options,
    );
    this.kind = kindOfUpstreamFailure(failure);
  }

  override operatorDetails() {
    return {
      dependency: "portone",
      operation: this.operation,
      failure: this.failure,
      upstreamType: this.upstreamType,
      upstreamStatus: this.upstreamStatus,
    };
  }
}

/** The shop's order source could not be asked what an order costs. */
export class OrderSourceUnavailableError extends ServiceError {
  readonly kind: ServiceErrorKind;
  constructor(
    readonly failure: UpstreamFailure,
    readonly upstreamStatus?: number,
    options?: ErrorOptions,
  ) {
    super(
      failure === "timeout"
        ? "The shop's order service did not answer in time; try again shortly."
        : "The shop's order service is unavailable right now; try again shortly.",
      options,
    );
    this.kind = kindOfUpstreamFailure(failure);
  }

  override operatorDetails() {
    return {
      dependency: "order-source",
      failure: this.failure,
      upstreamStatus: this.upstreamStatus,
    };
  }

  /** The shop refusing our token is a configuration error someone must fix now. */
  override get logLevel(): ServiceErrorLogLevel | undefined {
    return this.failure === "rejected" ? "error" : undefined;
  }
}

/**
 * Other writers kept changing the payment while this sync tried to record its verdict: nothing
 * is wrong with the request, and a retry a moment later succeeds.
 */
export class ConcurrentPaymentUpdateError extends ServiceError {
  readonly kind = "unavailable";
  constructor(
    readonly paymentId: string,
    readonly attempts: number,
  ) {
    super("The payment is being updated by another request right now; try again shortly.");
  }

  override operatorDetails() {
    return { paymentId: this.paymentId, attempts: this.attempts };
  }
}

/** An id the caller sent that no order source or store may be asked about (e.g. `..`). */
export class InvalidIdError extends ServiceError {
  readonly kind = "invalid-input";
}
