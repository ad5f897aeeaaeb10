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
  PaymentEventOutbox,
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
import { createPortOneTransport } from "./portone-transport.js";

/** The payment domain with every port bound: what the router and the modules call. */
export interface PaymentServices {
  /** PortOne's payment API, counted and timed in /metrics: the one PortOne handle. */
  readonly portone: PortOnePaymentApi;
  readonly procedures: PaymentProcedures;
  /** PortOne reachable with our secret (probed without counting the probes as traffic). */
  readonly readiness: ReadinessCheck;
  syncPayment(paymentId: string): Promise<SyncResult>;
  /**
   * Every PaymentStatusChanged that `syncPayment` publishes also goes to this sink: inside the
   * change's transaction if it is an outbox (the webhooks module's), else after the commit.
   */
  addEventSink(sink: PaymentEventSink): void;
}

export interface PaymentServiceDeps {
  /** Default: `PortOneClient(config.portone).payment`, over `createPortOneTransport`. */
  readonly portone?: PortOnePaymentApi;
  /** Default: HTTP to `config.orderSource`, or the demo catalog in sandbox mode. */
  readonly orderSource?: OrderSource;
  /** More sinks for every status change, published after its commit, at least once. */
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
  const sinks: PaymentEventSink[] = [...(deps.eventSinks ?? [])];
  const logChange = statusChangeLog(logger, metrics);
  // Each procedure sees PortOne through its own counter (portone_calls_by_procedure_total).
  const counted = (caller: PortOneCaller) => attributePortOneCalls(portone, caller, metrics);
  const portoneOf = {
    prepare: counted("payment.prepare"),
    confirm: counted("payment.confirm"),
    get: counted("payment.get"),
    complete: counted("payment.complete"),
    background: counted("background"),
  };
  const orders = deps.orderSource ?? defaultOrderSource(config);
  const { storeId, channelKey } = config.portone;
  /** The sync's ports per procedure, with the event sinks as they are now (see addEventSink). */
  const bindAll = () => {
    const events = routeEvents(sinks);
    const bind = (portoneApi: PortOnePaymentApi): SyncPaymentDeps => ({
      portone: portoneApi,
      records,
      ...events,
      onStatusChange: logChange,
      channelType: config.portone.channelType,
      onSyncResult: (result) => metrics.paymentSyncs.inc({ result }),
    });
    return {
      prepare: { ...bind(portoneOf.prepare), orders, storeId, channelKey },
      confirm: bind(portoneOf.confirm),
      get: bind(portoneOf.get),
      complete: bind(portoneOf.complete),
      background: bind(portoneOf.background),
    };
  };
  let bound = bindAll();
  const reads = createPaymentReads({
    records,
    sync: (record, procedure) => syncPayment(record.paymentId, bound[procedure], record),
    syncIntervalMs: config.payments.syncIntervalMs,
  });
  return {
    portone: portoneOf.background,
    procedures: {
      prepare: (orderId, caller) => preparePayment(orderId, caller, bound.prepare),
      complete: (paymentId, caller) => reads.complete(paymentId, caller),
      confirm: async (input, caller) =>
        toPaymentView((await confirmPayment(input, caller, bound.confirm)).record),
      get: (paymentId, caller) => reads.get(paymentId, caller),
    },
    readiness: portOneReadiness(raw),
    syncPayment: (paymentId) => syncPayment(paymentId, bound.background),
    addEventSink: (sink) => {
      sinks.push(sink);
      bound = bindAll();
    },
  };
}

/**
 * Which sink gets a change how: the first outbox (the webhook inbox) inside the change's own
 * transaction; every other sink after the commit, at least once (the change stays marked
 * unpublished until they all have it). With no other sink a change costs no mark at all.
 */
function routeEvents(
  sinks: readonly PaymentEventSink[],
): Pick<SyncPaymentDeps, "outbox" | "events"> {
  const outbox = sinks.find(isEventOutbox);
  const others = sinks.filter((sink) => sink !== outbox);
  return {
    ...(outbox ? { outbox } : {}),
    ...(others.length > 0 ? { events: { publish: (event) => publishToAll(others, event) } } : {}),
  };
}

/** The webhooks module's outbox sink; the module context hands it over as a plain sink. */
function isEventOutbox(sink: PaymentEventSink): sink is PaymentEventOutbox {
  return "beginWrite" in sink;
}

function defaultPortOne(config: ServiceConfig): PortOnePaymentApi {
  return PortOneClient({
    fetch: createPortOneTransport(),
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

/**
 * Every status change is logged once it committed; a mismatch loudly, because someone must
 * look at it. A log line is not durable: it is told after the commit, not published through
 * the at-least-once path (which would cost every change a second write to clear its mark).
 */
function statusChangeLog(logger: FastifyBaseLogger, metrics: ServiceMetrics) {
  // The info line holds only the ids and statuses built below, none of which redaction touches:
  // it skips the redaction paths, which cost more than the rest of the line (as the request
  // log's line does, see OneLinePerRequest). The mismatch line keeps them.
  const changes = logger.child({}, { redact: [] });
  return (event: PaymentStatusChanged): void => {
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
    else changes.info(fields, "payment status changed");
  };
}

/** Delivers to every sink even if one fails, then reports the first failure. */
async function publishToAll(sinks: readonly PaymentEventSink[], event: PaymentStatusChanged) {
  const results = await Promise.allSettled(sinks.map((sink) => sink.publish(event)));
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
}
