import { type Env, integer, loadSection, type Section } from "./variables.js";

/** How the payment procedures treat PortOne. */
export interface PaymentsConfig {
  /**
   * `payment.get` of a payment that can still change by itself (not begun, pending, virtual
   * account issued, failed) asks PortOne at most once per this many milliseconds; 0 asks every
   * time. Settled payments are answered from the record (webhooks and reconciliation sync them).
   */
  readonly syncIntervalMs: number;
}

export const DEFAULT_PAYMENT_SYNC_INTERVAL_MS = 2_000;

const paymentsVariables = {
  // An hour at most: a status page must not show a pending payment as pending for longer.
  PAYMENT_SYNC_INTERVAL_MS: integer(0, 3_600_000, DEFAULT_PAYMENT_SYNC_INTERVAL_MS),
};

export function loadPaymentsConfig(env: Env): Section<PaymentsConfig> {
  return loadSection(env, paymentsVariables, (v) => ({
    syncIntervalMs: v.PAYMENT_SYNC_INTERVAL_MS,
  }));
}
