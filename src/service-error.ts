/**
 * The one error hierarchy of the service (everything outside `src/sdk` and `src/sandbox`).
 * Every error a caller may see is a `ServiceError`; its `kind` alone decides the answer
 * (src/router maps kinds to tRPC codes by a table), so no code path classifies errors by
 * name strings or message text. Messages are the service's own words: they never carry
 * upstream bodies, database text or secrets.
 */
export type ServiceErrorKind =
  /** The caller's credentials are missing or not acceptable. */
  | "unauthenticated"
  /** The caller sent something that can never succeed as sent. */
  | "invalid-input"
  /** Unknown, or not the caller's (the caller must not learn which). */
  | "not-found"
  /** The request is valid but conflicts with the current state. */
  | "conflict"
  /** A dependency (PortOne, the shop, the database, the identity provider) is down. */
  | "unavailable"
  /** A dependency did not answer in time. */
  | "timeout"
  /** A dependency answered something unusable or refused a request the service made. */
  | "bad-gateway";

/** How loudly an error is logged when it reaches a caller; "none" for the caller's own mistakes. */
export type ServiceErrorLogLevel = "none" | "warn" | "error";

export abstract class ServiceError extends Error {
  abstract readonly kind: ServiceErrorKind;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * What an operator needs to act on this error (upstream type and status, the shop's
   * problems with an order, ...): logged, never sent to a caller. Overridden where there is more
   * to say than the message.
   */
  operatorDetails(): Readonly<Record<string, unknown>> {
    return {};
  }

  /** Overrides the level the router's table gives this error's kind (e.g. a bug on our side). */
  get logLevel(): ServiceErrorLogLevel | undefined {
    return undefined;
  }
}
