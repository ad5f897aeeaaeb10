import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";
import type { PaymentEventOutbox, PaymentRecordStore } from "../payments/ports.js";
import { webhookAdminRoute } from "./admin-route.js";
import {
  type DispatcherLogger,
  type DispatcherTuning,
  defaultDispatcherTuning,
  type PaymentSyncPort,
  WebhookDispatcher,
} from "./dispatcher.js";
import type { DispatchedEvent, EventPattern } from "./event.js";
import { type HandlerOptions, type WebhookHandler, WebhookHandlers } from "./handlers.js";
import {
  createHttpSubscriber,
  type HttpSubscriberConfig,
  httpSubscriberIds,
} from "./http-subscriber.js";
import { createWebhookMetrics, noWebhookMetrics } from "./metrics.js";
import { createOutboxEventSink } from "./outbox-event-sink.js";
import { type PaymentListApi, PeriodicReconciler } from "./reconcile.js";
import { webhookRoute } from "./route.js";
import type { ReplayFilter, WebhookStore } from "./store/webhook-store.js";
import type { Subscriber } from "./subscriber.js";
import type { WorkNotifications } from "./work-notifications.js";

export interface WebhooksOptions {
  readonly store: WebhookStore;
  /**
   * True in sandbox mode: every event subscribers get (HTTP and in-process) says
   * `livemode: false`, so none can be taken for real money. Required, so that no caller
   * forgets it.
   */
  readonly sandbox: boolean;
  /** PORTONE_WEBHOOK_SECRET (one, or two during a rotation). */
  readonly secrets: readonly string[];
  /** WEBHOOK_SUBSCRIBERS. */
  readonly subscribers?: readonly HttpSubscriberConfig[];
  /** Subscribers of other kinds built by the caller (e.g. the NATS JetStream one). */
  readonly extraSubscribers?: readonly Subscriber[];
  /** Runs `syncPayment` for `Transaction.*` events; without it events go out without a payment. */
  readonly payments?: PaymentSyncPort;
  /** Periodic `getPayments` sweep; off when absent or when `intervalMs` is 0. */
  readonly reconcile?: {
    readonly portone: PaymentListApi;
    readonly records: Pick<PaymentRecordStore, "getPaymentRecord">;
    readonly storeId?: string;
    readonly intervalMs: number;
    /** How far back each sweep looks (default 24 h). */
    readonly windowMs?: number;
  };
  /** ADMIN_TOKEN: enables the dead-letter admin routes. */
  readonly adminToken?: string;
  /** The ops plugin's registry; metrics are skipped without one. */
  readonly registry?: Registry;
  readonly bodyLimitBytes?: number;
  readonly tuning?: Partial<DispatcherTuning>;
  /** Announces work stored by other replicas (PostgreSQL LISTEN); without it the dispatcher polls. */
  readonly notifications?: WorkNotifications;
  readonly logger: DispatcherLogger;
  readonly clock?: () => number;
  readonly fetch?: typeof fetch;
}

/**
 * Builds the webhook pipeline of one service process (`module.ts` mounts it in the service;
 * `index.ts` holds the public exports).
 *
 * The webhook pipeline of one service process: the inbound route, the outbox sink for the
 * payment domain, in-process handlers, HTTP subscribers, the dispatcher and reconciliation.
 */
export interface Webhooks {
  /** Subscribe an in-process handler; call before `start()`. Returns an unsubscribe function. */
  on<Pattern extends EventPattern>(
    pattern: Pattern,
    handler: WebhookHandler<Pattern>,
    options?: HandlerOptions,
  ): () => void;
  /**
   * Watch the events this process fans out, live (the `listen` stream): nothing is stored for a
   * watcher and nothing is retried, so an absent watcher costs nothing. Subscribers and
   * handlers are the at-least-once way. Returns a function that stops watching.
   */
  watch(watcher: (event: DispatchedEvent) => void): () => void;
  /** POST /webhooks/portone: mount on the public listener (PortOne must reach it). */
  readonly publicPlugin: FastifyPluginAsync;
  /**
   * The dead-letter admin routes (when an admin token is set; otherwise registers nothing):
   * mount on the internal listener, never on the public one.
   */
  readonly internalPlugin: FastifyPluginAsync;
  /** Where `syncPayment` writes status-change events: in the change's transaction, or on their own. */
  readonly eventSink: PaymentEventOutbox;
  readonly store: WebhookStore;
  readonly dispatcher: WebhookDispatcher;
  readonly reconciler: PeriodicReconciler | undefined;
  readonly subscriberIds: readonly string[];
  start(): void;
  stop(): Promise<void>;
  replayDeadLetters(filter?: ReplayFilter): Promise<number>;
}

/** The configured HTTP subscribers, each with its stable id. */
async function startHttpSubscribers(options: WebhooksOptions, timeoutMs: number) {
  const configs = options.subscribers ?? [];
  const ids = httpSubscriberIds(configs);
  const httpSubscribers: Subscriber[] = await Promise.all(
    configs.map((config, index) =>
      createHttpSubscriber(ids[index] as string, config, {
        timeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ),
  );
  return { ids, httpSubscribers };
}

/** The sweep that re-syncs recent payments, when payments and a non-zero interval are given. */
function periodicReconciler(
  options: WebhooksOptions,
  shared: { readonly workerId: string; readonly clock: () => number },
): PeriodicReconciler | undefined {
  const { reconcile, payments } = options;
  if (!reconcile || !payments || reconcile.intervalMs <= 0) return undefined;
  return new PeriodicReconciler({
    deps: {
      portone: reconcile.portone,
      records: reconcile.records,
      sync: (paymentId) => payments.sync(paymentId),
      ...(reconcile.storeId ? { storeId: reconcile.storeId } : {}),
    },
    store: options.store,
    intervalMs: reconcile.intervalMs,
    windowMs: reconcile.windowMs ?? 24 * 3_600_000,
    workerId: shared.workerId,
    logger: options.logger,
    clock: shared.clock,
  });
}

export async function createWebhooks(options: WebhooksOptions): Promise<Webhooks> {
  const { store, logger } = options;
  const clock = options.clock ?? Date.now;
  const tuning = { ...defaultDispatcherTuning, ...options.tuning };
  const workerId = `worker-${randomUUID()}`;
  const metrics = options.registry
    ? createWebhookMetrics(options.registry, store)
    : noWebhookMetrics;

  const { ids, httpSubscribers } = await startHttpSubscribers(options, tuning.deliveryTimeoutMs);
  const fixedSubscribers = [...httpSubscribers, ...(options.extraSubscribers ?? [])];
  const handlers = new WebhookHandlers();
  let subscribers: readonly Subscriber[] = fixedSubscribers;
  handlers.onChange(() => {
    subscribers = [...fixedSubscribers, ...handlers.subscribers()];
  });

  const watchers = new Set<(event: DispatchedEvent) => void>();
  const dispatcher = new WebhookDispatcher({
    store,
    onDispatched: (event) => {
      for (const watcher of watchers) {
        try {
          watcher(event);
        } catch (error) {
          logger.warn({ err: error, webhookId: event.id }, "a webhook event watcher threw");
        }
      }
    },
    subscribers: () => subscribers,
    sandbox: options.sandbox,
    ...(options.payments ? { payments: options.payments } : {}),
    tuning,
    metrics,
    logger,
    clock,
    workerId,
    ...(options.notifications ? { notifications: options.notifications } : {}),
  });
  // New events are written through the dispatcher, which takes those it has room for.
  const inbox: WebhookStore = {
    ...store,
    insertEvent: (event, receivedAt) => dispatcher.storeEvent(event, receivedAt),
  };
  const deliveriesDue = () => dispatcher.wake("deliveries");

  const reconciler = periodicReconciler(options, { workerId, clock });

  const publicPlugin: FastifyPluginAsync = async (fastify) => {
    await fastify.register(webhookRoute, {
      secrets: options.secrets,
      store: inbox,
      metrics,
      clock,
      ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    });
  };
  const adminToken = options.adminToken;
  const internalPlugin: FastifyPluginAsync = async (fastify) => {
    if (!adminToken) return;
    await fastify.register(webhookAdminRoute, {
      store,
      adminToken,
      onReplayed: deliveriesDue,
      clock,
    });
  };

  return {
    on: (pattern, handler, handlerOptions) => handlers.on(pattern, handler, handlerOptions),
    watch(watcher) {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    publicPlugin,
    internalPlugin,
    // The records store writes most status-change events in the change's own transaction,
    // past `storeEvent`: the sink leases them to the dispatcher, or wakes it, itself.
    eventSink: createOutboxEventSink(inbox, {
      clock,
      dispatch: dispatcher,
      onEventStored: () => dispatcher.wake("events"),
    }),
    store,
    dispatcher,
    reconciler,
    subscriberIds: ids,
    start() {
      dispatcher.start();
      reconciler?.start();
    },
    async stop() {
      await reconciler?.stop();
      await dispatcher.stop();
    },
    async replayDeadLetters(filter: ReplayFilter = {}) {
      const replayed = await store.replayDeadLetters({ ...filter, now: clock() });
      if (replayed > 0) deliveriesDue();
      return replayed;
    },
  };
}
