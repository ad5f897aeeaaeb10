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
