import type { ChannelOptions } from "./domain/channels.js";
import type { PromotionOptions } from "./domain/promotions.js";
import type { FaultRule } from "./http/faults.js";
import type { CheckoutProfileRecord } from "./state/records.js";

/**
 * Where the sandbox listens unless told otherwise: loopback. Its checkout and test controls
 * need no authentication, so reaching it from other machines must be a deliberate choice.
 */
export const DEFAULT_LISTEN_HOST = "127.0.0.1";

export type WebhookVersion = "2024-04-25" | "2024-01-01";

export interface WebhookEndpoint {
  url: string;
  /** Payload format; PortOne's current one unless the endpoint still expects the legacy body. */
  version?: WebhookVersion;
}

/** Time source for everything the sandbox dates: payments, schedules, token and key expiry. */
export interface Clock {
  now(): number;
}

export interface SandboxOptions {
  /** Generated when absent (or taken from `persistPath` when it holds earlier state). */
  apiSecret?: string;
  storeId?: string;
  /** Standard Webhooks secret, `whsec_` + base64. */
  webhookSecret?: string;
  channelKey?: string;
  /**
   * The store's channels (TEST and LIVE, a PG provider each); the first is the default and its
   * key becomes `channelKey`. Without it: a TEST channel keyed `channelKey` and a LIVE one.
   */
  channels?: ChannelOptions[];
  /** Card promotions (getPromotion, getPgCardPromotions); POST /sandbox/promotions adds more. */
  promotions?: PromotionOptions[];
  /** Checkout profiles for payment sessions; `sandbox-checkout-profile` exists unless replaced. */
  checkoutProfiles?: CheckoutProfileRecord[];
  webhookEndpoints?: WebhookEndpoint[];
  /** Multiplies PortOne's retry delays (1, 4, 16, 64, 256 minutes); e.g. 1/60000 in tests. */
  webhookRetryScale?: number;
  /** Per attempt; PortOne waits 30 s. */
  webhookTimeoutMs?: number;
  /** Controls when payment schedules fall due; `Date.now` by default. */
  clock?: Clock;
  /** `.json` for a JSON file, anything else (`.sqlite`, `.db`) for SQLite. */
  persistPath?: string;
  faults?: FaultRule[];
  /** The shop this sandbox serves (the service's `/` in sandbox mode); linked from /sandbox/checkout. */
  shopUrl?: string;
  /** Fastify logger option. */
  logger?: boolean | object;
}
