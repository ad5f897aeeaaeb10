import {
  type ChannelType,
  type PaymentRecordStatus,
  PORTONE_PAYMENT_STATUSES,
  type PortOnePayment,
} from "./ports.js";

export interface PaymentVerdict {
  readonly status: PaymentRecordStatus;
  readonly mismatchReason: string | null;
}

/** What the order says the payment must be. */
export interface ExpectedPayment {
  readonly totalAmount: number;
  readonly currency: string;
  readonly channelType: ChannelType;
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(PORTONE_PAYMENT_STATUSES);

/**
 * Statuses where money moved or is about to move: the amount, currency and channel must be
 * the order's. A fully cancelled payment returned the money, so it is taken as is.
 */
const MONEY_STATUSES = new Set<string>([
  "PAY_PENDING",
  "VIRTUAL_ACCOUNT_ISSUED",
  "PAID",
  "PARTIAL_CANCELLED",
]);

/**
 * Compares PortOne's payment with the order. Returns null for a status this code does not
 * know yet (PortOne may add some), so the caller keeps what it had instead of guessing.
 */
export function judgePayment(
  payment: PortOnePayment,
  expected: ExpectedPayment,
): PaymentVerdict | null {
  if (typeof payment.status !== "string" || !KNOWN_STATUSES.has(payment.status)) return null;
  const status = payment.status as PaymentRecordStatus;
  if (!MONEY_STATUSES.has(status)) return { status, mismatchReason: null };
  const problems: string[] = [];
  const total = payment.amount?.total;
  if (total !== expected.totalAmount)
    problems.push(`amount ${total ?? "missing"} != order ${expected.totalAmount}`);
  if (payment.currency !== expected.currency)
    problems.push(`currency ${payment.currency ?? "missing"} != order ${expected.currency}`);
  const channelType = payment.channel?.type;
  if (channelType !== expected.channelType)
    problems.push(
      `channel ${String(channelType ?? "missing")} != expected ${expected.channelType}`,
    );
  if (problems.length > 0) return { status: "MISMATCH", mismatchReason: problems.join("; ") };
  return { status, mismatchReason: null };
}
