import { type Caller, callerOwnsPayment } from "./access.js";
import { UnknownPaymentError } from "./errors.js";
import type { PaymentRecord, PaymentRecordStore } from "./ports.js";

/** The caller's own payment record; someone else's answers exactly like a missing one. */
export async function findCallersPayment(
  paymentId: string,
  caller: Caller,
  records: Pick<PaymentRecordStore, "getPaymentRecord">,
): Promise<PaymentRecord> {
  const record = await records.getPaymentRecord(paymentId);
  if (!record || !callerOwnsPayment(record, caller)) throw new UnknownPaymentError(paymentId);
  return record;
}
