import type { Caller } from "./access.js";
import { findCallersPayment } from "./find-callers-payment.js";
import { type SyncPaymentDeps, type SyncResult, syncPayment } from "./sync-payment.js";

/**
 * The browser's view of one of its payments, freshly synced with PortOne. Serves both
 * `payment.complete` (after the checkout returns) and `payment.get`; the ownership check
 * comes before any PortOne call so that a stranger's paymentId costs nothing upstream.
 */
export async function syncCallersPayment(
  paymentId: string,
  caller: Caller,
  deps: SyncPaymentDeps,
): Promise<SyncResult> {
  const record = await findCallersPayment(paymentId, caller, deps.records);
  return syncPayment(paymentId, deps, record);
}
