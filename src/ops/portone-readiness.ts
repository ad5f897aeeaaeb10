import { callPortOne, PortOneRejection } from "../payments/portone-failure.js";
import type { PortOnePaymentApi } from "../payments/ports.js";
import type { ReadinessCheck } from "./ops-plugin.js";

const PROBE_PAYMENT_ID = "portone-bff-readiness-probe";

/**
 * PortOne is usable when it answers an authenticated lookup of a payment that does not exist
 * with PAYMENT_NOT_FOUND: reachable, and our secret accepted. Results are cached so probes
 * every few seconds from several replicas do not become load on PortOne.
 */
export function portOneReadiness(
  portone: PortOnePaymentApi,
  options: { cacheMs?: number; timeoutMs?: number } = {},
): ReadinessCheck {
  const cacheMs = options.cacheMs ?? 15_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  let cached: { ok: boolean; at: number } | undefined;
  let inFlight: Promise<boolean> | undefined;

  const probe = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const lookup = callPortOne("getPayment", () =>
      portone.getPayment({ paymentId: PROBE_PAYMENT_ID }),
    ).then(
      () => true,
      (error: unknown) => {
        if (error instanceof PortOneRejection) return error.type === "PAYMENT_NOT_FOUND";
        return false;
      },
    );
    try {
      return await Promise.race([lookup, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    name: "portone",
    async check() {
      if (cached && Date.now() - cached.at < cacheMs) return cached.ok;
      inFlight ??= probe().then((ok) => {
        // A failure is re-checked sooner than a success, so recovery shows quickly.
        cached = { ok, at: ok ? Date.now() : Date.now() - cacheMs + 2_000 };
        inFlight = undefined;
        return ok;
      });
      return inFlight;
    },
  };
}
