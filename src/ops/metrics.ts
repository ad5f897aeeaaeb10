import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The service's Prometheus metrics, on a registry of its own (one per server, so tests can run several). */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<"method" | "route" | "status_code">;
  readonly portoneRequests: Counter<"operation" | "outcome">;
  readonly portoneRequestDuration: Histogram<"operation" | "outcome">;
  readonly portoneCallsByProcedure: Counter<"procedure">;
  readonly paymentSyncs: Counter<"result">;
  readonly paymentStatusChanges: Counter<"status">;
}

export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency by route (the route pattern, not the URL)",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    portoneRequests: new Counter({
      name: "portone_requests_total",
      help: "Calls to the PortOne API by operation and outcome (success, rejected, timeout, unreachable, bad_response, error)",
      labelNames: ["operation", "outcome"],
      registers: [registry],
    }),
    portoneRequestDuration: new Histogram({
      name: "portone_request_duration_seconds",
      help: "PortOne API call latency, retries included",
      labelNames: ["operation", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    portoneCallsByProcedure: new Counter({
      name: "portone_calls_by_procedure_total",
      help: "Calls to the PortOne API by what made them: payment.prepare, payment.complete, payment.confirm, payment.get, or background (webhook dispatch, reconciliation)",
      labelNames: ["procedure"],
      registers: [registry],
    }),
    paymentSyncs: new Counter({
      name: "payment_syncs_total",
      help: "syncPayment runs by result (changed, unchanged, not_started, unknown_status, mismatch, error)",
      labelNames: ["result"],
      registers: [registry],
    }),
    paymentStatusChanges: new Counter({
      name: "payment_status_changes_total",
      help: "Payment record status changes by new status",
      labelNames: ["status"],
      registers: [registry],
    }),
  };
}
