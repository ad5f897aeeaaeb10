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
  return wrapPortOne(api, timed);
}

/** The PortOne port with every method's call passed through `around`: the methods, listed once. */
function wrapPortOne(
  api: PortOnePaymentApi,
  around: <T>(operation: keyof PortOnePaymentApi, call: () => Promise<T>) => Promise<T>,
): PortOnePaymentApi {
  return {
    getPayment: (options) => around("getPayment", () => api.getPayment(options)),
    preRegisterPayment: (options) =>
      around("preRegisterPayment", () => api.preRegisterPayment(options)),
    confirmPayment: (options) => around("confirmPayment", () => api.confirmPayment(options)),
    getPayments: (options) => around("getPayments", () => api.getPayments(options)),
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
  return wrapPortOne(api, (_operation, call) => {
    counter.inc();
    return call();
  });
}
