import type { FastifyBaseLogger } from "fastify";
import type { ServiceConfig } from "../config.js";
import {
  attributePortOneCalls,
  instrumentPortOne,
  type PortOneCaller,
} from "../ops/instrument-portone.js";
import type { ServiceMetrics } from "../ops/metrics.js";
import type { ReadinessCheck } from "../ops/ops-plugin.js";
import { portOneReadiness } from "../ops/portone-readiness.js";
import { confirmPayment } from "../payments/confirm-payment.js";
import { createDemoCatalogOrderSource } from "../payments/order-sources/demo-catalog.js";
import { createHttpOrderSource } from "../payments/order-sources/http.js";
import { toPaymentView } from "../payments/payment-view.js";
import type {
  OrderSource,
  PaymentEventSink,
  PaymentRecordStore,
  PaymentStatusChanged,
  PortOnePaymentApi,
} from "../payments/ports.js";
import { preparePayment } from "../payments/prepare-payment.js";
import { createPaymentReads } from "../payments/read-payment.js";
import { type SyncPaymentDeps, type SyncResult, syncPayment } from "../payments/sync-payment.js";
import type { PaymentProcedures } from "../router/context.js";
import { PortOneClient } from "../sdk/index.js";

/** The payment domain with every port bound: what the router and the modules call. */
export interface PaymentServices {
  /** PortOne's payment API, counted and timed in /metrics: the one PortOne handle. */
  readonly portone: PortOnePaymentApi;
  readonly procedures: PaymentProcedures;
  /** PortOne reachable with our secret (probed without counting the probes as traffic). */
  readonly readiness: ReadinessCheck;
  syncPayment(paymentId: string): Promise<SyncResult>;
  /** Every PaymentStatusChanged that `syncPayment` publishes also goes to this sink. */
  addEventSink(sink: PaymentEventSink): void;
}

export interface PaymentServiceDeps {
  /** Default: `PortOneClient(config.portone).payment`. */
  readonly portone?: PortOnePaymentApi;
  /** Default: HTTP to `config.orderSource`, or the demo catalog in sandbox mode. */
  readonly orderSource?: OrderSource;
  readonly eventSinks?: readonly PaymentEventSink[];
}

export function buildPaymentServices(
  config: ServiceConfig,
  deps: PaymentServiceDeps,
  shared: {
    readonly logger: FastifyBaseLogger;
    readonly metrics: ServiceMetrics;
    readonly records: PaymentRecordStore;
  },
): PaymentServices {
  const { logger, metrics, records } = shared;
  const raw = deps.portone ?? defaultPortOne(config);
  const portone = instrumentPortOne(raw, metrics);
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
  // Each procedure sees PortOne through its own counter (portone_calls_by_procedure_total).
  const depsOf = (caller: PortOneCaller): SyncPaymentDeps => ({
    ...syncDeps,
    portone: attributePortOneCalls(portone, caller, metrics),
  });
  const orders = deps.orderSource ?? defaultOrderSource(config);
  const { storeId, channelKey } = config.portone;
  const prepareDeps = { ...depsOf("payment.prepare"), orders, storeId, channelKey };
  const confirmDeps = depsOf("payment.confirm");
  const readDeps = { get: depsOf("payment.get"), complete: depsOf("payment.complete") };
  const reads = createPaymentReads({
    records,
    sync: (record, procedure) => syncPayment(record.paymentId, readDeps[procedure], record),
    syncIntervalMs: config.payments.syncIntervalMs,
  });
  const backgroundDeps = depsOf("background");
  return {
    portone: backgroundDeps.portone,
    procedures: {
      prepare: (orderId, caller) => preparePayment(orderId, caller, prepareDeps),
      complete: (paymentId, caller) => reads.complete(paymentId, caller),
      confirm: async (input, caller) =>
        toPaymentView((await confirmPayment(input, caller, confirmDeps)).record),
      get: (paymentId, caller) => reads.get(paymentId, caller),
    },
    readiness: portOneReadiness(raw),
    syncPayment: (paymentId) => syncPayment(paymentId, backgroundDeps),
    addEventSink: (sink) => {
      sinks.push(sink);
    },
  };
}

function defaultPortOne(config: ServiceConfig): PortOnePaymentApi {
  return PortOneClient({
    secret: config.portone.apiSecret,
    baseUrl: config.portone.baseUrl,
    storeId: config.portone.storeId,
    timeoutMs: config.portone.timeoutMs,
    maxRetries: config.portone.maxRetries,
  }).payment;
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
