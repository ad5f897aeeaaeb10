import { ServiceError } from "../service-error.js";

export type AuthenticationFailure = "missing" | "malformed" | "expired" | "invalid";

/** The caller's credentials are missing or not acceptable; the fix is on the caller's side. */
export class AuthenticationError extends ServiceError {
  readonly kind = "unauthenticated";
  constructor(readonly reason: AuthenticationFailure) {
    super(MESSAGES[reason]);
  }
}

const MESSAGES: Record<AuthenticationFailure, string> = {
  missing: "Sign in first: send `Authorization: Bearer <token>`.",
  malformed: "The Authorization header must be `Bearer <token>`.",
  expired: "The sign-in token has expired; sign in again.",
  invalid: "The sign-in token is not valid for this service; sign in again.",
};

/** The identity provider's keys could not be fetched: our outage, not the caller's fault. */
export class AuthenticationUnavailableError extends ServiceError {
  readonly kind = "unavailable";
  constructor(options?: ErrorOptions) {
    super("Sign-in cannot be checked right now; try again shortly.", options);
  }

  override operatorDetails() {
    return { dependency: "identity-provider", err: this.cause };
  }
}
