import { PortOneUnavailableError } from "../payments/errors.js";
import { classifyPortOneError, PortOneRejection } from "../payments/portone-failure.js";
import type { PortOnePaymentApi } from "../payments/ports.js";
import type { ServiceMetrics } from "./metrics.js";

/** Wraps the PortOne port so every call is counted and timed by operation and outcome. */
export function instrumentPortOne(
  api: PortOnePaymentApi,
  metrics: ServiceMetrics,
): PortOnePaymentApi {
  const timed = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const stop = metrics.portoneRequestDuration.startTimer({ operation });
    let outcome = "success";
    try {
      return await call();
    } catch (error) {
      outcome = outcomeOf(classifyPortOneError(operation, error));
      throw error;
    } finally {
      stop({ outcome });
      metrics.portoneRequests.inc({ operation, outcome });
    }
  };
  return {
    getPayment: (options) => timed("getPayment", () => api.getPayment(options)),
    preRegisterPayment: (options) =>
      timed("preRegisterPayment", () => api.preRegisterPayment(options)),
    confirmPayment: (options) => timed("confirmPayment", () => api.confirmPayment(options)),
    getPayments: (options) => timed("getPayments", () => api.getPayments(options)),
  };
}

function outcomeOf(classified: unknown): string {
  if (classified instanceof PortOneRejection) return "rejected";
  if (classified instanceof PortOneUnavailableError)
    return classified.failure === "bad-response" ? "bad_response" : classified.failure;
  return "error";
}

/** What made a PortOne call, for `portone_calls_by_procedure_total`. */
export type PortOneCaller =
  | "payment.prepare"
  | "payment.complete"
  | "payment.confirm"
  | "payment.get"
  | "background";

/** The PortOne port as one caller sees it: every call it makes is counted under its name. */
export function attributePortOneCalls(
  api: PortOnePaymentApi,
  caller: PortOneCaller,
  metrics: ServiceMetrics,
): PortOnePaymentApi {
  const counter = metrics.portoneCallsByProcedure.labels({ procedure: caller });
  // Shown at 0 from the start: "get made no PortOne call" is the fact worth seeing.
  counter.inc(0);
  const counted = <T>(call: () => Promise<T>): Promise<T> => {
    counter.inc();
    return call();
  };
  return {
    getPayment: (options) => counted(() => api.getPayment(options)),
    preRegisterPayment: (options) => counted(() => api.preRegisterPayment(options)),
    confirmPayment: (options) => counted(() => api.confirmPayment(options)),
    getPayments: (options) => counted(() => api.getPayments(options)),
  };
}
