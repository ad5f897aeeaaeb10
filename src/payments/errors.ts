/**
 * What can go wrong in the payment domain, in the service's own words. The router maps
 * each to a tRPC code; none of the messages carry upstream bodies or secrets.
 */
export abstract class PaymentDomainError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The order does not exist, or belongs to someone else (the caller must not learn which). */
export class OrderNotFoundError extends PaymentDomainError {
  constructor(readonly orderId: string) {
    super("Order not found. Check the order id.");
  }
}

/** Unknown to this service, or not the caller's (the caller must not learn which). */
export class PaymentNotFoundError extends PaymentDomainError {
  constructor(readonly paymentId: string) {
    super("Payment not found. Prepare it with payment.prepare first.");
  }
}

/** The order can no longer be paid: it was paid, cancelled, or flagged as mismatched. */
export class OrderAlreadySettledError extends PaymentDomainError {
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
export class OrderChangedError extends PaymentDomainError {
  constructor(readonly orderId: string) {
    super(
      "The order's amount or currency changed after its payment was prepared; create a new order to pay the new amount.",
    );
  }
}

export type ConfirmRejection = "INFORMATION_MISMATCH" | "INVALID_PAYMENT_TOKEN";

/** PortOne refused a manual confirmation; the payment was not confirmed. */
export class PaymentConfirmationRejectedError extends PaymentDomainError {
  constructor(readonly reason: ConfirmRejection) {
    super(
      reason === "INFORMATION_MISMATCH"
        ? "The payment does not match its order (amount, currency or transaction); it was not confirmed."
        : "The payment token is invalid or expired; restart the checkout.",
    );
  }
}

export type UpstreamFailureKind = "timeout" | "unreachable" | "bad-response" | "rejected";

/** PortOne could not be used: it timed out, was unreachable, answered garbage, or refused us. */
export class PortOneUnavailableError extends PaymentDomainError {
  constructor(
    readonly operation: string,
    readonly kind: UpstreamFailureKind,
    /** PortOne's error `type` when it answered with one (for logs and metrics, never for callers). */
    readonly upstreamType?: string,
    readonly upstreamStatus?: number,
    options?: ErrorOptions,
  ) {
    super(
      kind === "timeout"
        ? "The payment provider did not answer in time; try again shortly."
        : "The payment provider is unavailable right now; try again shortly.",
      options,
    );
  }
}

/** The shop's order source could not be asked what an order costs. */
export class OrderSourceUnavailableError extends PaymentDomainError {
  constructor(
    readonly kind: UpstreamFailureKind,
    readonly upstreamStatus?: number,
    options?: ErrorOptions,
  ) {
    super(
      kind === "timeout"
        ? "The shop's order service did not answer in time; try again shortly."
        : "The shop's order service is unavailable right now; try again shortly.",
      options,
    );
  }
}
