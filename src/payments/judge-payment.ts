import { isKnownPortOneStatus, moneyMoved, type PaymentRecordStatus } from "./payment-statuses.js";
import type { ChannelType, PortOnePayment } from "./ports.js";

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

/**
 * Compares PortOne's payment with the order. Returns null for a status this code does not
 * know yet (PortOne may add some), so the caller keeps what it had instead of guessing.
 */
export function judgePayment(
  payment: PortOnePayment,
  expected: ExpectedPayment,
): PaymentVerdict | null {
  const status = payment.status;
  if (!isKnownPortOneStatus(status)) return null;
  if (!moneyMoved(status)) return { status, mismatchReason: null };
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
