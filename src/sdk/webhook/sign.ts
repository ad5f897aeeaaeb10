import { InvalidInputError } from "./errors.js";
import type { WebhookUnbrandedRequiredHeaders } from "./headers.js";
import { signedContent } from "./signed-content.js";
import { computeSignature, signingKeyOf, type WebhookOptions } from "./signing-key.js";
import type { WebhookSecrets } from "./verify.js";

export interface WebhookSignOptions extends WebhookOptions {
  /** `webhook-id`; a fresh random one when omitted. */
  id?: string;
  /** When the webhook is sent: a Date or Unix seconds; now when omitted. */
  timestamp?: Date | number;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

function unixSeconds(timestamp: Date | number | undefined): number {
  const seconds =
    timestamp === undefined
      ? Math.floor(Date.now() / 1000)
      : timestamp instanceof Date
        ? Math.floor(timestamp.getTime() / 1000)
        : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new InvalidInputError(
      "`timestamp` must be a valid Date or a non-negative whole number of Unix seconds.",
    );
  }
  return seconds;
}

/**
 * Signs `payload` the way PortOne does and returns the headers to send with it, for tests and for
 * the local sandbox. With several secrets the signature header lists one signature per secret,
 * as a sender does during a rotation.
 */
export async function sign(
  secret: WebhookSecrets,
  payload: string | Uint8Array,
  options: WebhookSignOptions = {},
): Promise<WebhookUnbrandedRequiredHeaders> {
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
    throw new InvalidInputError("`payload` must be the request body as a string or Uint8Array.");
  }
  const id = options.id ?? `msg_${globalThis.crypto.randomUUID()}`;
  if (id === "" || /[\s,]/.test(id)) {
    throw new InvalidInputError("`id` must be a non-empty string without spaces or commas.");
  }
  const timestamp = String(unixSeconds(options.timestamp));
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0) {
    throw new InvalidInputError("`secret` is an empty array: pass at least one webhook secret.");
  }
  // A copy, because the shared buffer a short message lives in may change across the awaits below.
  const content = signedContent(id, timestamp, payload).slice();
  const signatures: string[] = [];
  for (const one of secrets) {
    signatures.push(`v1,${toBase64(await computeSignature(signingKeyOf(one, options), content))}`);
  }
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": signatures.join(" "),
  };
}
