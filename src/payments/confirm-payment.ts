import type { Caller } from "./access.js";
import { PaymentConfirmationRejectedError, UnknownPaymentError } from "./errors.js";
import { findCallersPayment } from "./find-callers-payment.js";
import { callPortOne, PortOneRejection } from "./portone-failure.js";
import { type SyncPaymentDeps, type SyncResult, syncPayment } from "./sync-payment.js";

export interface ConfirmPaymentInput {
  readonly paymentId: string;
  readonly paymentToken: string;
  readonly txId: string;
}

/**
 * Manual confirmation: asks PortOne to confirm the authenticated payment, giving the order's
 * amount, currency and test flag as verification parameters (so PortOne itself refuses a
 * tampered checkout), then syncs. A payment that is already paid (a retry, or the webhook got
 * there first) is not an error: the caller gets its synced state.
 */
export async function confirmPayment(
  input: ConfirmPaymentInput,
  caller: Caller,
  deps: SyncPaymentDeps,
): Promise<SyncResult> {
  const record = await findCallersPayment(input.paymentId, caller, deps.records);
  try {
    await callPortOne("confirmPayment", () =>
      deps.portone.confirmPayment({
        paymentId: record.paymentId,
        paymentToken: input.paymentToken,
        txId: input.txId,
        totalAmount: record.totalAmount,
        currency: record.currency,
        isTest: deps.channelType === "TEST",
      }),
    );
  } catch (error) {
    if (!(error instanceof PortOneRejection)) throw error;
    switch (error.type) {
      case "ALREADY_PAID":
        break;
      case "PAYMENT_NOT_FOUND":
        throw new UnknownPaymentError(input.paymentId);
      case "INFORMATION_MISMATCH":
      case "INVALID_PAYMENT_TOKEN":
        throw new PaymentConfirmationRejectedError(error.type);
      default:
        throw error;
    }
  }
  return syncPayment(record.paymentId, deps);
}
