/**
 * PortOne webhooks (Standard Webhooks signatures): `verify` the requests PortOne sends, `sign`
 * test requests, and the typed `Webhook` events. Mirrors `Webhook` of @portone/server-sdk 0.19.
 */

export type { Unrecognized } from "../runtime/unrecognized.js";
export type { WebhookVerificationFailureReason } from "./errors.js";
export { InvalidInputError, WebhookVerificationError } from "./errors.js";
export type * from "./events.js";
export { isUnrecognizedWebhook, WEBHOOK_TYPES } from "./events.js";
export type { WebhookHeaders, WebhookUnbrandedRequiredHeaders } from "./headers.js";
export type { LegacyWebhookBody } from "./legacy.js";
export { parseLegacyWebhookBody } from "./legacy.js";
export type { WebhookSignOptions } from "./sign.js";
export { sign } from "./sign.js";
export type { WebhookOptions, WebhookSecret } from "./signing-key.js";
export type { VerifiedWebhookHeaders, WebhookSecrets } from "./verify.js";
export { verify, verifySignature } from "./verify.js";
