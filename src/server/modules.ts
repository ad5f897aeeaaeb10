import type { FastifyBaseLogger, FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";
import type { ServiceConfig } from "../config.js";
import type { ReadinessCheck } from "../ops/ops-plugin.js";
import type { PaymentEventSink, PaymentRecordStore, PortOnePaymentApi } from "../payments/ports.js";
import type { SyncResult } from "../payments/sync-payment.js";
import type { Database, Migration } from "../store/database.js";

/**
 * What a feature module (the webhooks module, for one) gets from the server: narrow on
 * purpose, so a module cannot reach around the service's rules (one instrumented PortOne
 * handle, the one `syncPayment`, routes only where they belong).
 */
export interface ModuleContext {
  readonly config: ServiceConfig;
  readonly logger: FastifyBaseLogger;
  readonly database: Database;
  /** The registry /metrics serves; a module adds its own metrics to it. */
  readonly metricsRegistry: Registry;
  /** PortOne's payment API, counted and timed in /metrics. */
  readonly portone: PortOnePaymentApi;
  readonly records: Pick<PaymentRecordStore, "getPaymentRecord">;
  /** `syncPayment` with the service's ports bound; counted in /metrics by result. */
  syncPayment(paymentId: string): Promise<SyncResult>;
  /** Every PaymentStatusChanged that `syncPayment` publishes also goes to this sink. */
  addEventSink(sink: PaymentEventSink): void;
  /** Adds a dependency to /readyz. */
  addReadinessCheck(check: ReadinessCheck): void;
  /** Routes the internet must reach (PortOne's webhooks). */
  registerPublic(plugin: FastifyPluginAsync): Promise<void>;
  /** Operator routes: the internal listener only (loopback by default). */
  registerInternal(plugin: FastifyPluginAsync): Promise<void>;
}

/** Started once the server is ready, stopped (in reverse order) when it closes, before the database. */
export interface ModuleLifecycle {
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/**
 * A feature that plugs into the server. Its migrations run with the service's own, in the
 * order of the modules list; `setup` runs after migration, before the server is ready.
 */
export interface ServiceModule {
  readonly name: string;
  readonly migrations?: readonly Migration[];
  setup(context: ModuleContext): Promise<ModuleLifecycle | undefined> | ModuleLifecycle | undefined;
}

export function moduleMigrations(modules: readonly ServiceModule[]): Migration[] {
  return modules.flatMap((module) => module.migrations ?? []);
}

/** The modules' lifecycles as one: start in order, stop in reverse, a failed stop only logged. */
export interface ModulesLifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function setUpModules(
  modules: readonly ServiceModule[],
  context: ModuleContext,
): Promise<ModulesLifecycle> {
  const lifecycles: { name: string; lifecycle: ModuleLifecycle }[] = [];
  for (const module of modules) {
    const lifecycle = await module.setup(context);
    if (lifecycle) lifecycles.push({ name: module.name, lifecycle });
  }
  return {
    async start() {
      for (const { lifecycle } of lifecycles) await lifecycle.start?.();
    },
    async stop() {
      for (const { name, lifecycle } of [...lifecycles].reverse()) {
        try {
          await lifecycle.stop?.();
        } catch (error) {
          context.logger.error({ err: error, module: name }, "module failed to stop cleanly");
        }
      }
    },
  };
}
