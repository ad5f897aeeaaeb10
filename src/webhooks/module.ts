import { UnknownPaymentError } from "../payments/errors.js";
import { toPaymentView } from "../payments/payment-view.js";
import type { ServiceModule } from "../server.js";
import type { DispatcherTuning } from "./dispatcher.js";
import { setUpNatsFanOut } from "./nats/setup.js";
import { createWebhooks, type Webhooks } from "./pipeline.js";
import { createWebhookStore } from "./store/index.js";
import { webhookMigrations } from "./store/migrations.js";
import { postgresWorkNotifications } from "./store/postgres-notifications.js";

export interface WebhooksModuleOptions {
  /** Overrides of the dispatcher settings the config (WEBHOOK_* variables) gives. */
  readonly tuning?: Partial<DispatcherTuning>;
  /** Overrides WEBHOOK_BODY_LIMIT_BYTES. */
  readonly bodyLimitBytes?: number;
  /** Overrides RECONCILE_WINDOW_MS. */
  readonly reconcileWindowMs?: number;
  /**
   * Receives the pipeline before the dispatcher starts: register in-process handlers here
   * (`webhooks.on(...)`); embedders may also keep it to replay dead letters or inspect the store.
   */
  readonly configure?: (webhooks: Webhooks) => void;
}

/**
 * The webhooks feature as a service module, and the server's one entry point into
 * src/webhooks: its tables migrate with the service's, the inbound route is mounted on the
 * public listener and the admin routes on the internal one, status changes from `syncPayment`
 * go to the outbox, and the dispatcher and reconciliation run while the server does.
 */
export function webhooksModule(options: WebhooksModuleOptions = {}): ServiceModule {
  return {
    name: "webhooks",
    migrations: webhookMigrations,
    async setup(context) {
      const { config } = context;
      const tuning = { ...config.webhooks.tuning, ...options.tuning };
      const nats = await setUpNatsFanOut(context, tuning);
      const webhooks = await createWebhooks({
        store: createWebhookStore(context.database),
        secrets: config.portone.webhookSecrets,
        subscribers: config.webhooks.subscribers,
        sandbox: config.sandboxMode,
        ...(nats ? { extraSubscribers: [nats.fanOut.subscriber] } : {}),
        payments: {
          async sync(paymentId) {
            const result = await context.syncPayment(paymentId);
            return toPaymentView(result.record);
          },
          isPermanent: (error) => error instanceof UnknownPaymentError,
        },
        reconcile: {
          portone: context.portone,
          records: context.records,
          storeId: config.portone.storeId,
          intervalMs: config.webhooks.reconcileIntervalMs,
          windowMs: options.reconcileWindowMs ?? config.webhooks.reconcileWindowMs,
        },
        ...(config.webhooks.adminToken ? { adminToken: config.webhooks.adminToken } : {}),
        registry: context.metricsRegistry,
        bodyLimitBytes: options.bodyLimitBytes ?? config.webhooks.bodyLimitBytes,
        tuning,
        ...(context.database.kind === "postgres"
          ? {
              notifications: postgresWorkNotifications({
                clientConfig: context.database.clientConfig,
                logger: context.logger,
              }),
            }
          : {}),
        logger: context.logger,
      }).catch(async (error: unknown) => {
        await nats?.close(); // an open connection would keep the failed process alive
        throw error;
      });
      nats?.attach(webhooks);
      options.configure?.(webhooks);
      context.addEventSink(webhooks.eventSink);
      await context.registerPublic(webhooks.publicPlugin);
      await context.registerInternal(webhooks.internalPlugin);
      return {
        start: () => webhooks.start(),
        async stop() {
          await webhooks.stop();
          await nats?.close();
        },
      };
    },
  };
}
