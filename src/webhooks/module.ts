import { PaymentNotFoundError } from "../payments/errors.js";
import { toPaymentView } from "../payments/payment-view.js";
import type { ServiceModule } from "../server.js";
import type { DispatcherTuning } from "./dispatcher.js";
import { createWebhooks, type Webhooks } from "./pipeline.js";
import { createWebhookStore } from "./store/index.js";
import { webhookMigrations } from "./store/migrations.js";

export interface WebhooksModuleOptions {
  /** Overrides of the retry, lease and polling settings the config (WEBHOOK_* variables) gives. */
  readonly tuning?: Partial<DispatcherTuning>;
  /** Overrides WEBHOOK_BODY_LIMIT_BYTES. */
  readonly bodyLimitBytes?: number;
  /** Overrides RECONCILE_WINDOW_MS. */
  readonly reconcileWindowMs?: number;
  /** Register in-process handlers here (`webhooks.on(...)`); runs before the dispatcher starts. */
  readonly configure?: (webhooks: Webhooks) => void;
  /** Receives the pipeline once built (tests and embedding inspect its store). */
  readonly onCreated?: (webhooks: Webhooks) => void;
}

/**
 * The webhooks feature as a service module: its tables migrate with the service's, the inbound
 * route is mounted on the server, status changes from `syncPayment` go to the outbox, and the
 * dispatcher and reconciliation run while the server does.
 */
export function webhooksModule(options: WebhooksModuleOptions = {}): ServiceModule {
  return {
    name: "webhooks",
    migrations: webhookMigrations,
    async setup(context) {
      const { config } = context;
      const { delivery } = config.webhooks;
      const store = createWebhookStore(context.database);
      const tuning: Partial<DispatcherTuning> = {
        delivery: {
          maxAttempts: delivery.maxAttempts,
          baseDelayMs: delivery.retryBaseMs,
          maxDelayMs: delivery.retryMaxMs,
        },
        deliveryTimeoutMs: delivery.timeoutMs,
        leaseMs: delivery.leaseMs,
        pollIntervalMs: delivery.pollIntervalMs,
        ...options.tuning,
      };
      const webhooks = await createWebhooks({
        store,
        sandbox: config.sandboxMode,
        secrets: config.portone.webhookSecrets,
        subscribers: config.webhooks.subscribers,
        payments: {
          async sync(paymentId) {
            const result = await context.syncPayment(paymentId);
            return toPaymentView(result.record, result.payment);
          },
          isPermanent: (error) => error instanceof PaymentNotFoundError,
        },
        reconcile: {
          portone: context.portoneClient.payment,
          records: context.records,
          storeId: config.portone.storeId,
          intervalMs: config.webhooks.reconcileIntervalMs,
          windowMs: options.reconcileWindowMs ?? config.webhooks.reconcileWindowMs,
        },
        ...(config.webhooks.adminToken ? { adminToken: config.webhooks.adminToken } : {}),
        registry: context.metrics.registry,
        bodyLimitBytes: options.bodyLimitBytes ?? config.webhooks.bodyLimitBytes,
        tuning,
        logger: context.logger,
      });
      options.configure?.(webhooks);
      context.addEventSink(webhooks.eventSink);
      await context.app.register(webhooks.publicPlugin);
      await context.app.register(webhooks.internalPlugin);
      options.onCreated?.(webhooks);
      return {
        start: () => webhooks.start(),
        stop: () => webhooks.stop(),
      };
    },
  };
}
