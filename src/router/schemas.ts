import { z } from "zod";
import { PAYMENT_METHOD_KINDS } from "../payments/payment-view.js";
import { PAYMENT_RECORD_STATUSES } from "../payments/ports.js";

/** PortOne allows long ids; the bound keeps junk out of logs and the database. */
const paymentId = z.string().trim().min(1).max(200);

export const prepareInput = z.object({ orderId: z.string().trim().min(1).max(200) });
export const paymentIdInput = z.object({ paymentId });
export const confirmInput = z.object({
  paymentId,
  paymentToken: z.string().min(1).max(4_096),
  txId: z.string().min(1).max(200),
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
  receiptUrl: nullableText,
});
