import { z } from "zod";
import { GUEST_TOKEN_PATTERN } from "../payments/guest-token.js";
import { PAYMENT_RECORD_STATUSES } from "../payments/payment-statuses.js";
import { PAYMENT_METHOD_KINDS } from "../payments/payment-view.js";

/**
 * PortOne's ids (paymentId, txId, payment tokens) and the shop's order ids are printable
 * ASCII. Checking that here, before an id reaches a database (PostgreSQL refuses NUL), a URL
 * (a lone surrogate cannot be percent-encoded) or a log, turns junk into a 400 that says what is
 * allowed. The length bound keeps junk out of logs and the database.
 */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

function idField(name: string, maxLength: number) {
  const allowed = `${name} must be 1 to ${maxLength} printable ASCII characters (letters, digits, punctuation; no spaces or control characters).`;
  return z
    .string({ error: allowed })
    .trim()
    .min(1, { error: allowed })
    .max(maxLength, { error: allowed })
    .regex(PRINTABLE_ASCII, { error: allowed });
}

const paymentId = idField("paymentId", 200);

/** A guest's proof of ownership (see src/payments/guest-token.ts); absent for signed-in customers. */
const guestToken = z
  .string({ error: "guestToken must be the token payment.prepare returned." })
  .regex(GUEST_TOKEN_PATTERN, { error: "guestToken must be the token payment.prepare returned." })
  .optional();

export const prepareInput = z.object({
  orderId: idField("orderId", 200).refine((id) => id !== "." && id !== "..", {
    error: "orderId must not be `.` or `..`.",
  }),
  guestToken,
});
export const paymentIdInput = z.object({ paymentId, guestToken });
export const confirmInput = z.object({
  paymentId,
  paymentToken: idField("paymentToken", 4_096),
  txId: idField("txId", 200),
  guestToken,
});

const nullableText = z.string().nullable();

export const preparedPaymentOutput = z.object({
  paymentId: z.string(),
  storeId: z.string(),
  channelKey: z.string(),
  orderName: z.string(),
  totalAmount: z.number().int(),
  currency: z.string(),
  customer: z
    .object({ fullName: nullableText, email: nullableText, phoneNumber: nullableText })
    .nullable(),
  guestToken: z.string().nullable(),
});

export const paymentStatus = z.enum(PAYMENT_RECORD_STATUSES);

/** Object schemas strip unknown keys: only these fields can ever reach a browser. */
export const paymentViewOutput = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  status: paymentStatus,
  orderName: nullableText,
  totalAmount: z.number().int(),
  paidAmount: z.number().nullable(),
  cancelledAmount: z.number().nullable(),
  currency: z.string(),
  methodKind: z.enum(PAYMENT_METHOD_KINDS).nullable(),
  virtualAccount: z
    .object({ bank: nullableText, accountNumber: z.string(), expiresAt: nullableText })
    .nullable(),
  requestedAt: nullableText,
  paidAt: nullableText,
  failedAt: nullableText,
  cancelledAt: nullableText,
  updatedAt: z.string(),
  /** When PortOne last confirmed this answer (see README, "Freshness"). */
  syncedAt: nullableText,
  receiptUrl: nullableText,
});
