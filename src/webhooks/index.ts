/**
 * Webhooks: verified, durably stored PortOne events fanned out to in-process handlers and
 * HTTP subscribers, with retries, dead letters, replay and reconciliation.
 */
export { webhookAdminRoute } from "./admin-route.js";
export { runWebhooksCommand } from "./cli-command.js";
export type { DispatcherTuning, PaymentSyncPort } from "./dispatcher.js";
export { defaultDispatcherTuning, WebhookDispatcher } from "./dispatcher.js";
export type * from "./event.js";
export { matchesPattern } from "./event.js";
export type { HandlerOptions, WebhookHandler } from "./handlers.js";
export { ATTEMPT_HEADER, type HttpSubscriberConfig } from "./http-subscriber.js";
export { createWebhookMetrics, type WebhookMetrics } from "./metrics.js";
export { type WebhooksModuleOptions, webhooksModule } from "./module.js";
export { createOutboxEventSink } from "./outbox-event-sink.js";
export { createWebhooks, type Webhooks, type WebhooksOptions } from "./pipeline.js";
export { type PaymentListApi, reconcileRecentPayments } from "./reconcile.js";
export type { RetryPolicy } from "./retry-policy.js";
export { DEFAULT_WEBHOOK_PATH, webhookRoute } from "./route.js";
export { openWebhookStore } from "./store/index.js";
export { postgresWorkNotifications } from "./store/postgres-notifications.js";
export type * from "./store/webhook-store.js";
export type { WorkKind, WorkNotifications } from "./work-notifications.js";
