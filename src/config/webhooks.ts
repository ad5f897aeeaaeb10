import { z } from "zod";
import { type DispatcherTuning, defaultDispatcherTuning } from "../webhooks/dispatcher.js";
import { loadNatsConfig, type NatsConfig } from "../webhooks/nats/config.js";
import { type Env, httpUrl, integer, json, loadSection, type Section } from "./variables.js";

export interface WebhookSubscriberConfig {
  readonly url: string;
  /** Event types this subscriber wants (e.g. "Transaction.Paid", "Transaction.*"); all when absent. */
  readonly events?: readonly string[];
  /** Standard Webhooks secret used to sign deliveries to this subscriber. */
  readonly secret: string;
}

export interface WebhooksConfig {
  readonly subscribers: readonly WebhookSubscriberConfig[];
  /** Enables the dead-letter admin routes (on the internal listener). */
  readonly adminToken?: string;
  readonly reconcileIntervalMs: number;
  /** How far back each reconciliation sweep looks. */
  readonly reconcileWindowMs: number;
  /** The dispatcher's settings, complete: the WEBHOOK_* variables over its defaults. */
  readonly tuning: DispatcherTuning;
  readonly bodyLimitBytes: number;
  /** The NATS JetStream fan-out; absent when NATS_URL is unset. */
  readonly nats?: NatsConfig;
}

const subscriberSchema = z.object({
  url: httpUrl,
  events: z.array(z.string().min(1)).optional(),
  secret: z.string().min(1, { error: "secret is required" }),
});

const webhooksVariables = {
  WEBHOOK_SUBSCRIBERS: json(
    "[]",
    'must be a JSON array such as [{"url":"https://...","secret":"whsec_..."}]',
    z.array(subscriberSchema, { error: "must be a JSON array of subscriber objects" }),
  ),
  ADMIN_TOKEN: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  ),
  RECONCILE_INTERVAL_MS: integer(0, 86_400_000, 300_000),
  RECONCILE_WINDOW_MS: integer(60_000, 2_592_000_000, 86_400_000),
  WEBHOOK_MAX_ATTEMPTS: integer(1, 100, defaultDispatcherTuning.delivery.maxAttempts),
  WEBHOOK_RETRY_BASE_MS: integer(1, 3_600_000, defaultDispatcherTuning.delivery.baseDelayMs),
  WEBHOOK_RETRY_MAX_MS: integer(1, 86_400_000, defaultDispatcherTuning.delivery.maxDelayMs),
  WEBHOOK_DELIVERY_TIMEOUT_MS: integer(100, 300_000, defaultDispatcherTuning.deliveryTimeoutMs),
  WEBHOOK_LEASE_MS: integer(500, 3_600_000, defaultDispatcherTuning.leaseMs),
  WEBHOOK_POLL_INTERVAL_MS: integer(10, 60_000, defaultDispatcherTuning.pollIntervalMs),
  WEBHOOK_BODY_LIMIT_BYTES: integer(1_024, 10_485_760, 65_536),
};

export function loadWebhooksConfig(env: Env): Section<WebhooksConfig> {
  const nats = loadNatsConfig(env);
  const section = loadSection(env, webhooksVariables, (v) => ({
    subscribers: v.WEBHOOK_SUBSCRIBERS,
    ...(v.ADMIN_TOKEN ? { adminToken: v.ADMIN_TOKEN } : {}),
    reconcileIntervalMs: v.RECONCILE_INTERVAL_MS,
    reconcileWindowMs: v.RECONCILE_WINDOW_MS,
    tuning: {
      ...defaultDispatcherTuning,
      delivery: {
        maxAttempts: v.WEBHOOK_MAX_ATTEMPTS,
        baseDelayMs: v.WEBHOOK_RETRY_BASE_MS,
        maxDelayMs: v.WEBHOOK_RETRY_MAX_MS,
      },
      deliveryTimeoutMs: v.WEBHOOK_DELIVERY_TIMEOUT_MS,
      leaseMs: v.WEBHOOK_LEASE_MS,
      pollIntervalMs: v.WEBHOOK_POLL_INTERVAL_MS,
    },
    bodyLimitBytes: v.WEBHOOK_BODY_LIMIT_BYTES,
    ...(nats.config ? { nats: nats.config } : {}),
  }));
  if (nats.problems.length === 0) return section;
  return { value: undefined, problems: [...section.problems, ...nats.problems] };
}
