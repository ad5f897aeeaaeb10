/**
 * The PortOne sandbox: a local, stateful PortOne V2 emulator (what stripe-mock is for Stripe).
 */
export type { Sandbox } from "./create-sandbox.js";
export { createSandbox } from "./create-sandbox.js";
export type { ChannelOptions } from "./domain/channels.js";
export type { FaultRule } from "./http/faults.js";
export type { Clock, SandboxOptions, WebhookEndpoint, WebhookVersion } from "./options.js";
export { DEFAULT_LISTEN_HOST } from "./options.js";
export { RETRY_DELAYS_MINUTES } from "./webhooks/webhook-sender.js";
