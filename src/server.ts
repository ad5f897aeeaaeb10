import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from "fastify";
import type { DestinationStream } from "pino";
import { createCallerAuthenticator } from "./auth/authenticate-caller.js";
import type { ServiceConfig } from "./config.js";
import { httpMetricsPlugin } from "./ops/http-metrics-plugin.js";
import { createLogger } from "./ops/logger.js";
import { createServiceMetrics, type ServiceMetrics } from "./ops/metrics.js";
import { metricsPlugin, probesPlugin, type ReadinessCheck } from "./ops/ops-plugin.js";
import type { PaymentRecordStore } from "./payments/ports.js";
import { trpcPlugin } from "./router/trpc-plugin.js";
import { createListeners, type Listeners } from "./server/listeners.js";
import {
  type ModuleContext,
  type ModulesLifecycle,
  moduleMigrations,
  type ServiceModule,
  setUpModules,
} from "./server/modules.js";
import {
  buildPaymentServices,
  type PaymentServiceDeps,
  type PaymentServices,
} from "./server/payment-services.js";
import { securityHeadersPlugin } from "./server/security-headers.js";
import { shopPlugin } from "./shop/shop-plugin.js";
import { type Database, migrate, openDatabase } from "./store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "./store/payment-records/index.js";
import { pingDatabase } from "./store/ping-database.js";

export type { ModuleContext, ModuleLifecycle, ServiceModule } from "./server/modules.js";

export interface ServiceDeps extends PaymentServiceDeps {
  /** Feature modules to mount (see `ServiceModule`); src/main.ts passes the webhooks module. */
  readonly modules?: readonly ServiceModule[];
  /** Public routes that exist only in sandbox mode (the demo shop); ignored in live mode. */
  readonly sandboxRoutes?: readonly FastifyPluginAsync[];
  /** Default: a database opened from `config.store` (closed with the server). */
  readonly database?: Database;
  /** Where JSON log lines go; default stdout. */
  readonly logStream?: DestinationStream;
  /** How /trpc is served: the lean route (default) or tRPC's stock adapter (see `trpcPlugin`). */
  readonly trpcTransport?: "lean" | "stock";
}

export interface Service {
  /** The public listener's app (browsers, PortOne). */
  readonly app: FastifyInstance;
  /** The internal listener's app: /metrics and the webhook admin routes. */
  readonly internalApp: FastifyInstance;
  readonly config: ServiceConfig;
  readonly logger: FastifyBaseLogger;
  readonly records: PaymentRecordStore;
  /** The internal listener's base URL, once `listen()` resolved. */
  readonly internalUrl: string | undefined;
  /** Listens on `config.internal`, then on `config.host:config.port`; resolves to the public base URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, stops modules, closes the database. */
  close(): Promise<void>;
}

/** Builds the service: nothing listens until `listen()`. */
export async function buildServer(config: ServiceConfig, deps: ServiceDeps = {}): Promise<Service> {
  const logger = createLogger(config.logLevel, deps.logStream);
  const listeners = createListeners(config, logger);
  const database = deps.database ?? (await openDatabase(config.store));
  const closeDatabase = () => (deps.database ? Promise.resolve() : database.close());
  try {
    const modules = deps.modules ?? [];
    await migrate(database, [...paymentRecordMigrations, ...moduleMigrations(modules)]);
    const metrics = createServiceMetrics();
    const records = createPaymentRecordStore(database);
    const payments = buildPaymentServices(config, deps, { logger, metrics, records });
    const readiness: ReadinessCheck[] = [
      { name: "store", check: () => pingDatabase(database) },
      payments.readiness,
    ];
    await registerPublicRoutes(listeners.public, config, {
      metrics,
      readiness,
      payments,
      trpcTransport: deps.trpcTransport,
    });
    if (config.sandboxMode)
      await registerSandboxRoutes(listeners.public, config, deps.sandboxRoutes);
    await registerInternalRoutes(listeners.internal, config, { metrics, readiness });
    const moduleContext = contextForModules(config, listeners, {
      logger,
      database,
      metrics,
      records,
      payments,
      readiness,
    });
    const lifecycle = await setUpModules(modules, moduleContext);
    runWithTheServer(listeners, lifecycle, closeDatabase);
    return serviceOf(config, listeners, { logger, records });
  } catch (error) {
    await closeDatabase();
    throw error;
  }
}

/** Security headers, request metrics, probes, and the tRPC API. */
async function registerPublicRoutes(
  app: FastifyInstance,
  config: ServiceConfig,
  parts: {
    metrics: ServiceMetrics;
    readiness: ReadinessCheck[];
    payments: PaymentServices;
    trpcTransport: "lean" | "stock" | undefined;
  },
): Promise<void> {
  await app.register(securityHeadersPlugin);
  await app.register(httpMetricsPlugin, { metrics: parts.metrics });
  await app.register(probesPlugin, {
    readiness: parts.readiness,
    timeoutMs: config.http.readinessTimeoutMs,
  });
  await app.register(trpcPlugin, {
    http: config.http,
    authenticate: createCallerAuthenticator({
      ...(config.auth ? { jwt: config.auth } : {}),
      allowAnonymous: config.sandboxMode,
    }),
    procedures: parts.payments.procedures,
    ...(parts.trpcTransport ? { transport: parts.trpcTransport } : {}),
  });
}

/** Sandbox mode only: public routes such as the demo shop. */
async function registerSandboxRoutes(
  app: FastifyInstance,
  config: ServiceConfig,
  plugins: readonly FastifyPluginAsync[] = [],
): Promise<void> {
  await app.register(shopPlugin, { sandboxUrl: config.portone.baseUrl });
  for (const plugin of plugins) await app.register(plugin);
}

/** /metrics and the probes; modules add their operator routes here (`registerInternal`). */
async function registerInternalRoutes(
  app: FastifyInstance,
  config: ServiceConfig,
  parts: { metrics: ServiceMetrics; readiness: ReadinessCheck[] },
): Promise<void> {
  await app.register(metricsPlugin, { metrics: parts.metrics });
  await app.register(probesPlugin, {
    readiness: parts.readiness,
    timeoutMs: config.http.readinessTimeoutMs,
  });
}

function contextForModules(
  config: ServiceConfig,
  listeners: Listeners,
  parts: {
    logger: FastifyBaseLogger;
    database: Database;
    metrics: ServiceMetrics;
    records: PaymentRecordStore;
    payments: PaymentServices;
    readiness: ReadinessCheck[];
  },
): ModuleContext {
  return {
    config,
    logger: parts.logger,
    database: parts.database,
    metricsRegistry: parts.metrics.registry,
    portone: parts.payments.portone,
    records: parts.records,
    syncPayment: (paymentId) => parts.payments.syncPayment(paymentId),
    addEventSink: (sink) => parts.payments.addEventSink(sink),
    addReadinessCheck: (check) => {
      parts.readiness.push(check);
    },
    registerPublic: async (plugin) => {
      await listeners.public.register(plugin);
    },
    registerInternal: async (plugin) => {
      await listeners.internal.register(plugin);
    },
  };
}

/**
 * Modules start once the public listener is ready. Closing it (Fastify runs onClose after the
 * listener stopped and in-flight requests finished) closes the internal listener, stops the
 * modules in reverse order, and closes the database last.
 */
function runWithTheServer(
  listeners: Listeners,
  lifecycle: ModulesLifecycle,
  closeDatabase: () => Promise<void>,
): void {
  listeners.public.addHook("onReady", () => lifecycle.start());
  listeners.public.addHook("onClose", async () => {
    await listeners.internal.close();
    await lifecycle.stop();
    await closeDatabase();
  });
}

function serviceOf(
  config: ServiceConfig,
  listeners: Listeners,
  parts: { logger: FastifyBaseLogger; records: PaymentRecordStore },
): Service {
  let internalUrl: string | undefined;
  return {
    app: listeners.public,
    internalApp: listeners.internal,
    config,
    logger: parts.logger,
    records: parts.records,
    get internalUrl() {
      return internalUrl;
    },
    async listen() {
      internalUrl = await listeners.internal.listen({
        host: config.internal.host,
        port: config.internal.port,
      });
      return listeners.public.listen({ host: config.host, port: config.port });
    },
    async close() {
      await listeners.public.close();
    },
  };
}
