/**
 * Payment statuses and what they mean, in one place: which ones PortOne reports, which ones
 * our record holds, in which money moved, and after which an order cannot be paid again.
 */

/** PortOne's `Payment.status` values this version knows (PortOne may add more). */
export const PORTONE_PAYMENT_STATUSES = [
  "READY",
  "PAY_PENDING",
  "VIRTUAL_ACCOUNT_ISSUED",
  "PAID",
  "FAILED",
  "PARTIAL_CANCELLED",
  "CANCELLED",
] as const;

export type PortOnePaymentStatus = (typeof PORTONE_PAYMENT_STATUSES)[number];

/**
 * Our verdict on a payment, derived from PortOne's status and the order it must match:
 * PREPARED before PortOne knows the payment, MISMATCH when PortOne says money moved but amount,
 * currency or channel differ from the order (never fulfil), else PortOne's status.
 */
export const PAYMENT_RECORD_STATUSES = [
  "PREPARED",
  ...PORTONE_PAYMENT_STATUSES,
  "MISMATCH",
] as const;

export type PaymentRecordStatus = (typeof PAYMENT_RECORD_STATUSES)[number];

const KNOWN_PORTONE_STATUSES: ReadonlySet<unknown> = new Set(PORTONE_PAYMENT_STATUSES);

/** A status this version understands; anything else is left alone rather than guessed at. */
export function isKnownPortOneStatus(status: unknown): status is PortOnePaymentStatus {
  return KNOWN_PORTONE_STATUSES.has(status);
}

/**
 * Money moved, or is about to (a pending charge, an issued virtual account): the payment's
 * amount, currency and channel must be the order's. A fully cancelled payment returned the
 * money, so it is not among them.
 */
export const MONEY_MOVED_STATUSES: ReadonlySet<string> = new Set<PortOnePaymentStatus>([
  "PAY_PENDING",
  "VIRTUAL_ACCOUNT_ISSUED",
  "PAID",
  "PARTIAL_CANCELLED",
]);

export function moneyMoved(status: string): boolean {
  return MONEY_MOVED_STATUSES.has(status);
}

/**
 * The order is done with: paid (wholly or partly cancelled since), cancelled, or under review
 * as a mismatch. Its payment cannot be attempted again under the same order.
 */
export const SETTLED_STATUSES: ReadonlySet<PaymentRecordStatus> = new Set<PaymentRecordStatus>([
  "PAID",
  "PARTIAL_CANCELLED",
  "CANCELLED",
  "MISMATCH",
]);

export function isSettled(status: PaymentRecordStatus): boolean {
  return SETTLED_STATUSES.has(status);
}
