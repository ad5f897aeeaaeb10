import { Counter, Gauge, type Registry } from "prom-client";
import type { WebhookStore } from "./store/webhook-store.js";

/** Outcome of one delivery attempt, as counted per subscriber. */
export type DeliveryMetricOutcome = "delivered" | "retry" | "dead";

export interface WebhookMetrics {
  received(type: string, format: string): void;
  rejected(reason: string): void;
  duplicate(): void;
  delivery(subscriberId: string, outcome: DeliveryMetricOutcome): void;
}

/** For embedding without Prometheus (and for tests that do not look at metrics). */
export const noWebhookMetrics: WebhookMetrics = {
  received() {},
  rejected() {},
  duplicate() {},
  delivery() {},
};

/**
 * Registers the webhook metrics on `registry` (the ops plugin's, served at /metrics).
 * The gauges read the store when scraped, so they show the backlog of every replica, not just
 * this process.
 */
export function createWebhookMetrics(registry: Registry, store: WebhookStore): WebhookMetrics {
  const received = getOrCreate(
    registry,
    "portone_bff_webhooks_received_total",
    () =>
      new Counter({
        name: "portone_bff_webhooks_received_total",
        help: "Verified webhooks stored in the inbox (first delivery of each webhook-id), by type and format.",
        labelNames: ["type", "format"] as const,
        registers: [registry],
      }),
  );
  const rejected = getOrCreate(
    registry,
    "portone_bff_webhooks_rejected_total",
    () =>
      new Counter({
        name: "portone_bff_webhooks_rejected_total",
        help: "Webhook requests refused, by reason (signature, timestamp, body, size).",
        labelNames: ["reason"] as const,
        registers: [registry],
      }),
  );
  const duplicates = getOrCreate(
    registry,
    "portone_bff_webhooks_duplicates_total",
    () =>
      new Counter({
        name: "portone_bff_webhooks_duplicates_total",
        help: "Verified webhooks whose webhook-id was already in the inbox (acknowledged, not stored again).",
        registers: [registry],
      }),
  );
  const deliveries = getOrCreate(
    registry,
    "portone_bff_webhook_deliveries_total",
    () =>
      new Counter({
        name: "portone_bff_webhook_deliveries_total",
        help: "Delivery attempts to subscribers, by subscriber and outcome (delivered, retry, dead).",
        labelNames: ["subscriber", "outcome"] as const,
        registers: [registry],
      }),
  );

  // A scrape must not fail because the database hiccups; the gauges then keep their last value.
  let lastBacklog: Awaited<ReturnType<WebhookStore["backlog"]>> | null = null;
  const readBacklog = async () => {
    try {
      lastBacklog = await store.backlog();
    } catch {
      // keep the previous reading
    }
    return lastBacklog;
  };
  getOrCreate(
    registry,
    "portone_bff_webhook_dead_letters",
    () =>
      new Gauge({
        name: "portone_bff_webhook_dead_letters",
        help: "Deliveries that used up their retries and wait for a replay.",
        registers: [registry],
        async collect() {
          const backlog = await readBacklog();
          if (backlog) this.set(backlog.deadLetters);
        },
      }),
  );
  getOrCreate(
    registry,
    "portone_bff_webhook_inbox_lag_seconds",
    () =>
      new Gauge({
        name: "portone_bff_webhook_inbox_lag_seconds",
        help: "Age of the oldest work not done yet: a stored event not dispatched (stage=dispatch) or a delivery not delivered (stage=delivery); 0 when none.",
        labelNames: ["stage"] as const,
        registers: [registry],
        async collect() {
          const backlog = await readBacklog();
          if (!backlog) return;
          const now = Date.now();
          const age = (since: number | null) =>
            since === null ? 0 : Math.max(0, now - since) / 1000;
          this.set({ stage: "dispatch" }, age(backlog.oldestPendingEventAt));
          this.set({ stage: "delivery" }, age(backlog.oldestPendingDeliveryAt));
        },
      }),
  );
  getOrCreate(
    registry,
    "portone_bff_webhook_backlog",
    () =>
      new Gauge({
        name: "portone_bff_webhook_backlog",
        help: "Work not done yet: events waiting for dispatch and deliveries waiting for a (re)try.",
        labelNames: ["stage"] as const,
        registers: [registry],
        async collect() {
          const backlog = await readBacklog();
          if (!backlog) return;
          this.set({ stage: "dispatch" }, backlog.pendingEvents);
          this.set({ stage: "delivery" }, backlog.pendingDeliveries);
        },
      }),
  );

  return {
    received: (type, format) => received.inc({ type, format }),
    rejected: (reason) => rejected.inc({ reason }),
    duplicate: () => duplicates.inc(),
    delivery: (subscriber, outcome) => deliveries.inc({ subscriber, outcome }),
  };
}

/** A server built twice on one registry (tests, embedding) reuses the metrics it registered. */
function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
