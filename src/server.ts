import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { DestinationStream } from "pino";
import { createCallerAuthenticator } from "./auth/authenticate-caller.js";
import type { ServiceConfig } from "./config.js";
import { httpMetricsPlugin } from "./ops/http-metrics-plugin.js";
import { instrumentPortOne } from "./ops/instrument-portone.js";
import { createLogger, requestIdFor } from "./ops/logger.js";
import { createServiceMetrics, type ServiceMetrics } from "./ops/metrics.js";
import { opsPlugin, type ReadinessCheck } from "./ops/ops-plugin.js";
import { portOneReadiness } from "./ops/portone-readiness.js";
import type { Caller } from "./payments/access.js";
import { syncCallersPayment } from "./payments/complete-payment.js";
import { confirmPayment } from "./payments/confirm-payment.js";
import { createDemoCatalogOrderSource } from "./payments/order-sources/demo-catalog.js";
import { createHttpOrderSource } from "./payments/order-sources/http.js";
import { toPaymentView } from "./payments/payment-view.js";
import type {
  OrderSource,
  PaymentEventSink,
  PaymentRecordStore,
  PaymentStatusChanged,
  PortOnePaymentApi,
} from "./payments/ports.js";
import { preparePayment } from "./payments/prepare-payment.js";
import { type SyncPaymentDeps, type SyncResult, syncPayment } from "./payments/sync-payment.js";
import type { PaymentProcedures, RequestContext } from "./router/context.js";
import { sendTRPCShapedError } from "./router/http-error-response.js";
import { appRouter } from "./router/index.js";
import { PortOneClient } from "./sdk/index.js";
import { shopPlugin } from "./shop/shop-plugin.js";
import { type Database, type Migration, migrate, openDatabase } from "./store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "./store/payment-records/index.js";
import { pingDatabase } from "./store/ping-database.js";

/**
 * What a feature module (the webhooks module, for one) gets from the server: the shared
 * database, the PortOne client, the payment records and the one `syncPayment`, and the
 * Fastify instance to register its own encapsulated plugin on.
 */
export interface ServiceContext {
  readonly app: FastifyInstance;
  readonly config: ServiceConfig;
  readonly logger: FastifyBaseLogger;
  readonly database: Database;
  readonly metrics: ServiceMetrics;
  /** The full SDK client (reconciliation uses `payment.getPayments`). */
  readonly portoneClient: PortOneClient;
  /** The payment calls the domain makes, counted and timed in /metrics. */
  readonly portone: PortOnePaymentApi;
  readonly records: PaymentRecordStore;
  /** `syncPayment` with the service's ports bound; counted in /metrics by result. */
  syncPayment(paymentId: string): Promise<SyncResult>;
  /** Every PaymentStatusChanged that `syncPayment` publishes also goes to this sink. */
  addEventSink(sink: PaymentEventSink): void;
  /** Adds a dependency to /readyz. */
  addReadinessCheck(check: ReadinessCheck): void;
}

/** Started once the server is ready, stopped (in reverse order) when it closes, before the database. */
export interface ModuleLifecycle {
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/**
 * A feature that plugs into the server. Its migrations run with the service's own, in the
 * order of the modules list; `setup` runs after migration, before the server is ready.
 *
 * Webhooks module: export one of these (migrations = inbox/outbox tables; setup registers the
 * raw-body plugin on `context.app`, `context.addEventSink(outboxSink)`, and returns the
 * dispatcher/reconciler as start/stop). src/main.ts passes it in `deps.modules`.
 */
export interface ServiceModule {
  readonly name: string;
  readonly migrations?: readonly Migration[];
  setup(
    context: ServiceContext,
  ): Promise<ModuleLifecycle | undefined> | ModuleLifecycle | undefined;
}

export interface ServiceDeps {
  /** Feature modules to mount (see `ServiceModule`). */
  readonly modules?: readonly ServiceModule[];
  /** Default: a client for `config.portone`. */
  readonly portoneClient?: PortOneClient;
  /** Default: `portoneClient.payment`. Replace to put something between the domain and PortOne. */
  readonly portone?: PortOnePaymentApi;
  /** Default: HTTP to `config.orderSource`, or the demo catalog in sandbox mode. */
  readonly orderSource?: OrderSource;
  /** Extra receivers of PaymentStatusChanged (in-process handlers, tests). */
  readonly eventSinks?: readonly PaymentEventSink[];
  /** Default: a database opened from `config.store` (closed with the server). */
  readonly database?: Database;
  /** Where JSON log lines go; default stdout. */
  readonly logStream?: DestinationStream;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly context: ServiceContext;
  /** Listens on `config.host:config.port`; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, stops modules, closes the database. */
  close(): Promise<void>;
}

const RATE_LIMITED = "Too many requests; slow down and retry shortly.";

const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** Builds the service: nothing listens until `listen()`. */
export async function buildServer(config: ServiceConfig, deps: ServiceDeps = {}): Promise<Service> {
  const logger: FastifyBaseLogger = createLogger(config.logLevel, deps.logStream);
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    genReqId: requestIdFor,
    logController: new LogController({
      requestIdLogLabel: "requestId",
      // Probes every few seconds would drown the log lines that matter.
      disableRequestLogging: (request) => PROBE_PATHS.has(request.url),
    }),
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: config.http.maxParamLength },
  });

  const ownsDatabase = deps.database === undefined;
  const database = deps.database ?? (await openDatabase(config.store));
  try {
    const modules = deps.modules ?? [];
    await migrate(database, [
      ...paymentRecordMigrations,
      ...modules.flatMap((module) => module.migrations ?? []),
    ]);
    const metrics = createServiceMetrics();
    const records = createPaymentRecordStore(database);
    const portoneClient =
      deps.portoneClient ??
      PortOneClient({
        secret: config.portone.apiSecret,
        baseUrl: config.portone.baseUrl,
        storeId: config.portone.storeId,
        timeoutMs: config.portone.timeoutMs,
        maxRetries: config.portone.maxRetries,
      });
    const rawPortone = deps.portone ?? portoneClient.payment;
    const portone = instrumentPortOne(rawPortone, metrics);

    const sinks: PaymentEventSink[] = [
      statusChangeLogSink(logger, metrics),
      ...(deps.eventSinks ?? []),
    ];
    const syncDeps: SyncPaymentDeps = {
      portone,
      records,
      events: { publish: (event) => publishToAll(sinks, event) },
      channelType: config.portone.channelType,
      onSyncResult: (result) => metrics.paymentSyncs.inc({ result }),
    };
    const orderSource = deps.orderSource ?? defaultOrderSource(config);
    const authenticate = createCallerAuthenticator({
      ...(config.auth ? { jwt: config.auth } : {}),
      allowAnonymous: config.sandboxMode,
    });
    const readiness: ReadinessCheck[] = [
      { name: "store", check: () => pingDatabase(database) },
      portOneReadiness(rawPortone),
    ];
    const procedures = paymentProcedures({
      ...syncDeps,
      orders: orderSource,
      storeId: config.portone.storeId,
      channelKey: config.portone.channelKey,
    });

    // A batch of calls shares one HTTP request: verify its token once, for the rate limiter and
    // for every procedure in the batch.
    const callers = new WeakMap<FastifyRequest, Promise<Caller>>();
    const callerOf = (request: FastifyRequest) => {
      let caller = callers.get(request);
      if (!caller) {
        caller = authenticate(request.headers.authorization);
        caller.catch(() => {});
        callers.set(request, caller);
      }
      return caller;
    };

    // Responses finishing during shutdown close their connection, so a keep-alive client does
    // not hold the server open until its idle timeout.
    let closing = false;
    app.addHook("preClose", (done) => {
      closing = true;
      done();
    });
    app.addHook("onSend", (_request, reply, payload, done) => {
      if (closing) reply.header("connection", "close");
      done(null, payload);
    });

    // The service only ever answers JSON: nothing may load, frame or run from its responses.
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    });
    await app.register(httpMetricsPlugin, { metrics });
    await app.register(opsPlugin, { metrics, readiness });
    if (config.sandboxMode) await app.register(shopPlugin, { sandboxUrl: config.portone.baseUrl });
    await app.register(async (trpcScope) => {
      await trpcScope.register(cors, {
        origin: config.http.corsOrigins.length > 0 ? [...config.http.corsOrigins] : false,
        methods: ["GET", "POST"],
        allowedHeaders: ["authorization", "content-type", "trpc-accept", "x-request-id"],
        maxAge: 600,
      });
      trpcScope.setErrorHandler((error: { statusCode?: number }, request, reply) => {
        if (error.statusCode === 429)
          return sendTRPCShapedError(request, reply, 429, "TOO_MANY_REQUESTS", RATE_LIMITED);
        if (error.statusCode === 413)
          return sendTRPCShapedError(
            request,
            reply,
            413,
            "PAYLOAD_TOO_LARGE",
            "Request body too large.",
          );
        if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
          return sendTRPCShapedError(
            request,
            reply,
            error.statusCode,
            "BAD_REQUEST",
            "Malformed request.",
          );
        request.log.error({ err: error }, "request failed before reaching tRPC");
        return sendTRPCShapedError(request, reply, 500, "INTERNAL_SERVER_ERROR", "Internal error.");
      });
      await trpcScope.register(rateLimit, {
        max: config.http.rateLimitMax,
        timeWindow: config.http.rateLimitWindowMs,
        keyGenerator: async (request) => {
          try {
            const caller = await callerOf(request);
            if (caller.customerId !== null) return `customer:${caller.customerId}`;
          } catch {
            // Bad credentials are limited by address, so forged tokens cannot dodge the limit.
          }
          return `ip:${request.ip}`;
        },
        errorResponseBuilder: (_request, context) =>
          Object.assign(new Error(RATE_LIMITED), { statusCode: context.statusCode }),
      });
      await trpcScope.register(fastifyTRPCPlugin, {
        prefix: "/trpc",
        trpcOptions: {
          router: appRouter,
          createContext: ({ req }: { req: FastifyRequest }): RequestContext => ({
            requestId: req.id,
            log: req.log,
            payments: procedures,
            authenticate: () => callerOf(req),
          }),
        },
      });
    });

    const context: ServiceContext = {
      app,
      config,
      logger,
      database,
      metrics,
      portoneClient,
      portone,
      records,
      syncPayment: (paymentId) => syncPayment(paymentId, syncDeps),
      addEventSink: (sink) => {
        sinks.push(sink);
      },
      addReadinessCheck: (check) => {
        readiness.push(check);
      },
    };

    const lifecycles: ModuleLifecycle[] = [];
    for (const module of modules) {
      const lifecycle = await module.setup(context);
      if (lifecycle) lifecycles.push(lifecycle);
    }
    app.addHook("onReady", async () => {
      for (const lifecycle of lifecycles) await lifecycle.start?.();
    });
    // Fastify runs onClose after the listener stopped and in-flight requests finished.
    app.addHook("onClose", async () => {
      for (const lifecycle of [...lifecycles].reverse()) {
        try {
          await lifecycle.stop?.();
        } catch (error) {
          logger.error({ err: error }, "module failed to stop cleanly");
        }
      }
      if (ownsDatabase) await database.close();
    });

    return {
      app,
      context,
      async listen() {
        return app.listen({ host: config.host, port: config.port });
      },
      async close() {
        await app.close();
      },
    };
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }
}

function paymentProcedures(
  deps: SyncPaymentDeps & Parameters<typeof preparePayment>[2],
): PaymentProcedures {
  const view = (result: SyncResult) => toPaymentView(result.record, result.payment);
  return {
    prepare: (orderId, caller) => preparePayment(orderId, caller, deps),
    complete: async (paymentId, caller) => view(await syncCallersPayment(paymentId, caller, deps)),
    confirm: async (input, caller) => view(await confirmPayment(input, caller, deps)),
    get: async (paymentId, caller) => view(await syncCallersPayment(paymentId, caller, deps)),
  };
}

function defaultOrderSource(config: ServiceConfig): OrderSource {
  if (config.orderSource) return createHttpOrderSource(config.orderSource);
  if (config.sandboxMode) return createDemoCatalogOrderSource();
  throw new Error("No order source: set ORDER_SOURCE_URL, or pass deps.orderSource to buildServer");
}

/** Every status change is logged; a mismatch loudly, because someone must look at it. */
function statusChangeLogSink(logger: FastifyBaseLogger, metrics: ServiceMetrics): PaymentEventSink {
  return {
    async publish(event) {
      metrics.paymentStatusChanges.inc({ status: event.status });
      const fields = {
        paymentId: event.paymentId,
        orderId: event.orderId,
        previousStatus: event.previousStatus,
        status: event.status,
      };
      if (event.status === "MISMATCH")
        logger.warn(
          { ...fields, mismatchReason: event.mismatchReason },
          "payment does not match its order",
        );
      else logger.info(fields, "payment status changed");
    },
  };
}

/** Delivers to every sink even if one fails, then reports the first failure. */
async function publishToAll(sinks: readonly PaymentEventSink[], event: PaymentStatusChanged) {
  const results = await Promise.allSettled(sinks.map((sink) => sink.publish(event)));
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
}
