import { PortOneError } from "../runtime/port-one-error.js";

/**
 * An argument passed to a webhook function is malformed (a secret that is not base64, a payload
 * of the wrong type, a body that is not JSON). The message says which argument and how to fix it;
 * it never contains the secret.
 */
export class InvalidInputError extends PortOneError {
  // Set explicitly so that the name survives minifiers that rename classes.
  override readonly name = "InvalidInputError";
}

/** Why a webhook was refused; `WebhookVerificationError.getMessage` turns it into a sentence. */
export type WebhookVerificationFailureReason =
  | "MISSING_REQUIRED_HEADERS"
  | "NO_MATCHING_SIGNATURE"
  | "INVALID_SIGNATURE"
  | "TIMESTAMP_TOO_OLD"
  | "TIMESTAMP_TOO_NEW";

const failureMessages: Record<WebhookVerificationFailureReason, string> = {
  MISSING_REQUIRED_HEADERS:
    "The webhook-id, webhook-timestamp and webhook-signature headers must each be present exactly once.",
  NO_MATCHING_SIGNATURE:
    "No v1 signature in webhook-signature matches the payload under the given secret(s): check the secret and that the payload is the raw, unparsed request body.",
  INVALID_SIGNATURE: "The webhook-timestamp header is not a whole number of Unix seconds.",
  TIMESTAMP_TOO_OLD:
    "The webhook-timestamp header is more than 300 seconds in the past: the request may be a replay, or this server's clock is wrong.",
  TIMESTAMP_TOO_NEW:
    "The webhook-timestamp header is more than 300 seconds in the future: this server's clock may be wrong.",
};

/** The request is not a genuine, fresh webhook; `reason` says which check failed. */
export class WebhookVerificationError extends PortOneError {
  override readonly name = "WebhookVerificationError";
  readonly reason: WebhookVerificationFailureReason;

  static getMessage(reason: WebhookVerificationFailureReason): string {
    return failureMessages[reason];
  }

  constructor(reason: WebhookVerificationFailureReason, options?: ErrorOptions) {
    super(WebhookVerificationError.getMessage(reason), options);
    this.reason = reason;
  }
}
