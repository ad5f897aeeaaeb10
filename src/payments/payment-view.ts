import type { PaymentDetails, PaymentMethodKind } from "./payment-details.js";
import type { PaymentRecord, PaymentRecordStatus } from "./ports.js";

export { PAYMENT_METHOD_KINDS, type PaymentMethodKind } from "./payment-details.js";

/**
 * What a browser may see of a payment: enough to show it and to finish a virtual-account
 * deposit, nothing about the shop's PortOne account, PG responses or other customers.
 */
export interface PaymentView {
  readonly paymentId: string;
  readonly orderId: string;
  readonly status: PaymentRecordStatus;
  readonly orderName: string | null;
  readonly totalAmount: number;
  readonly paidAmount: number | null;
  readonly cancelledAmount: number | null;
  readonly currency: string;
  readonly methodKind: PaymentMethodKind | null;
  /** Where to deposit, while a virtual account waits for it. */
  readonly virtualAccount: PaymentDetails["virtualAccount"];
  readonly requestedAt: string | null;
  readonly paidAt: string | null;
  readonly failedAt: string | null;
  readonly cancelledAt: string | null;
  readonly updatedAt: string;
  /** When PortOne last confirmed this answer; null if it never has (a checkout not begun). */
  readonly syncedAt: string | null;
  readonly receiptUrl: string | null;
}

/** The view of a record, from what its last sync stored: no PortOne call. */
export function toPaymentView(record: PaymentRecord): PaymentView {
  const details = record.details;
  return {
    paymentId: record.paymentId,
    orderId: record.orderId,
    status: record.status,
    orderName: details?.orderName ?? null,
    totalAmount: record.totalAmount,
    paidAmount: details?.paidAmount ?? null,
    cancelledAmount: details?.cancelledAmount ?? null,
    currency: record.currency,
    methodKind: details?.methodKind ?? null,
    virtualAccount:
      record.status === "VIRTUAL_ACCOUNT_ISSUED" ? (details?.virtualAccount ?? null) : null,
    requestedAt: details?.requestedAt ?? null,
    paidAt: details?.paidAt ?? null,
    failedAt: details?.failedAt ?? null,
    cancelledAt: details?.cancelledAt ?? null,
    updatedAt: record.updatedAt,
    syncedAt: record.syncedAt,
    receiptUrl: details?.receiptUrl ?? null,
  };
}
