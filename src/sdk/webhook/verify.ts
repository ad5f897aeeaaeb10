import { InvalidInputError, WebhookVerificationError } from "./errors.js";
import type { Webhook } from "./events.js";
import { readRequiredHeaders, type WebhookHeaders } from "./headers.js";
import { decodeBase64OfLength } from "./signature-base64.js";
import { signedContent } from "./signed-content.js";
import {
  computeSignature,
  signingKeyOf,
  type WebhookOptions,
  type WebhookSecret,
} from "./signing-key.js";

/** One secret, or several during a rotation (a webhook signed with any one of them passes). */
export type WebhookSecrets = WebhookSecret | readonly WebhookSecret[];

/** What the signature vouches for besides the body. */
export interface VerifiedWebhookHeaders {
  /** `webhook-id`: the same on every redelivery, so it identifies duplicates. */
  readonly id: string;
  /** `webhook-timestamp` in Unix seconds. */
  readonly timestamp: number;
}

const toleranceSeconds = 5 * 60;
const signatureBytes = 32;
const utf8 = /* @__PURE__ */ new TextDecoder();

function checkPayloadType(payload: unknown): asserts payload is string | Uint8Array {
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
    throw new InvalidInputError(
      "`payload` must be the raw request body as a string or Uint8Array, read before any JSON parsing.",
    );
  }
}

function secretList(secret: WebhookSecrets): readonly WebhookSecret[] {
  if (!Array.isArray(secret)) return [secret as WebhookSecret];
  if (secret.length === 0) {
    throw new InvalidInputError("`secret` is an empty array: pass at least one webhook secret.");
  }
  return secret;
}

/** Unix seconds from the header; strict digits, since a lenient parse would accept "12abc". */
function parseTimestamp(header: string): number {
  if (header.length > 15 || !/^[0-9]+$/.test(header)) {
    throw new WebhookVerificationError("INVALID_SIGNATURE");
  }
  const timestamp = Number(header);
  const now = Math.floor(Date.now() / 1000);
  if (now - timestamp > toleranceSeconds) throw new WebhookVerificationError("TIMESTAMP_TOO_OLD");
  if (timestamp - now > toleranceSeconds) throw new WebhookVerificationError("TIMESTAMP_TOO_NEW");
  return timestamp;
}

/** The decoded `v1` signatures of the header; entries of other versions or bad base64 are skipped. */
function candidateSignatures(header: string): Uint8Array[] {
  const candidates: Uint8Array[] = [];
  for (const entry of header.split(" ")) {
    if (!entry.startsWith("v1,")) continue;
    // Like the official SDK, anything after a further comma is ignored.
    const nextComma = entry.indexOf(",", 3);
    const encoded = nextComma === -1 ? entry.slice(3) : entry.slice(3, nextComma);
    const decoded = decodeBase64OfLength(encoded, signatureBytes);
    if (decoded !== undefined) candidates.push(decoded);
  }
  return candidates;
}

/** Compares in time that depends only on the length, which is public. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

/**
 * The checks of `verifySignature`, synchronous whenever the message is short (the usual case), so
 * that `verify` does not pay for extra promise hops.
 */
function checkWebhook(
  secret: WebhookSecrets,
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  options: WebhookOptions | undefined,
): VerifiedWebhookHeaders | Promise<VerifiedWebhookHeaders> {
  checkPayloadType(payload);
  const secrets = secretList(secret);
  const keys = secrets.map((one) => signingKeyOf(one, options));
  const required = readRequiredHeaders(headers);
  if (required === undefined) throw new WebhookVerificationError("MISSING_REQUIRED_HEADERS");
  const verified = { id: required.id, timestamp: parseTimestamp(required.timestamp) };
  const candidates = candidateSignatures(required.signature);
  if (candidates.length === 0) throw new WebhookVerificationError("NO_MATCHING_SIGNATURE");
  const content = signedContent(required.id, required.timestamp, payload);
  const matches = (expected: Uint8Array) =>
    candidates.some((candidate) => constantTimeEqual(candidate, expected));
  const pending: Promise<Uint8Array>[] = [];
  for (const key of keys) {
    // A short `content` lives in a shared buffer and is hashed synchronously right here.
    const computed = computeSignature(key, content);
    if (computed instanceof Uint8Array) {
      if (matches(computed)) return verified;
    } else {
      pending.push(computed);
    }
  }
  if (pending.length === 0) throw new WebhookVerificationError("NO_MATCHING_SIGNATURE");
  return Promise.all(pending).then((computed) => {
    if (computed.some(matches)) return verified;
    throw new WebhookVerificationError("NO_MATCHING_SIGNATURE");
  });
}

/**
 * Checks that `payload` is a genuine, fresh webhook (Standard Webhooks: HMAC-SHA256 over
 * `{id}.{timestamp}.{body}`, 300 s tolerance) without parsing the body, for bodies that are not
 * JSON such as the legacy form-encoded format.
 *
 * Malformed arguments throw `InvalidInputError` before the request is looked at, so that a
 * misconfigured secret shows up on the first webhook rather than hiding behind request errors.
 *
 * @throws {InvalidInputError} the secret, or the payload's type, is malformed.
 * @throws {WebhookVerificationError} the request is not a genuine, fresh webhook.
 */
export async function verifySignature(
  secret: WebhookSecrets,
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  options?: WebhookOptions,
): Promise<VerifiedWebhookHeaders> {
  return checkWebhook(secret, payload, headers, options);
}

function parseBody(payload: string | Uint8Array): Webhook {
  const text = typeof payload === "string" ? payload : utf8.decode(payload);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(
      "The webhook is genuine but its body is not JSON: for the legacy form-encoded format use `verifySignature` and `parseLegacyWebhookBody`.",
      { cause },
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidInputError("The webhook is genuine but its body is not a JSON object.");
  }
  return body as Webhook;
}

/**
 * Verifies a PortOne webhook and returns its parsed body; drop-in for `Webhook.verify` of
 * @portone/server-sdk, which also takes bytes, Fetch `Headers`, Node header objects and several
 * secrets.
 *
 * @param secret the webhook secret(s) from the PortOne console.
 * @param payload the raw request body, exactly as received.
 * @param headers the request headers.
 * @throws {InvalidInputError} the secret is malformed, or the verified body is not a JSON object.
 * @throws {WebhookVerificationError} the request is not a genuine, fresh webhook.
 */
export async function verify(
  secret: WebhookSecrets,
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  options?: WebhookOptions,
): Promise<Webhook> {
  const checked = checkWebhook(secret, payload, headers, options);
  if (checked instanceof Promise) await checked;
  return parseBody(payload);
}
