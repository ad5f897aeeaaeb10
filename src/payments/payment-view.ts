import type { PaymentRecord, PaymentRecordStatus, PortOnePayment } from "./ports.js";

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
  readonly virtualAccount: {
    readonly bank: string | null;
    readonly accountNumber: string;
    readonly expiresAt: string | null;
  } | null;
  readonly requestedAt: string | null;
  readonly paidAt: string | null;
  readonly failedAt: string | null;
  readonly cancelledAt: string | null;
  readonly updatedAt: string;
  readonly receiptUrl: string | null;
}

export const PAYMENT_METHOD_KINDS = [
  "card",
  "virtual-account",
  "transfer",
  "mobile",
  "easy-pay",
  "gift-certificate",
  "convenience-store",
  "crypto",
  "other",
] as const;
export type PaymentMethodKind = (typeof PAYMENT_METHOD_KINDS)[number];

const METHOD_KINDS: Record<string, PaymentMethodKind> = {
  PaymentMethodCard: "card",
  PaymentMethodVirtualAccount: "virtual-account",
  PaymentMethodTransfer: "transfer",
  PaymentMethodMobile: "mobile",
  PaymentMethodEasyPay: "easy-pay",
  PaymentMethodGiftCertificate: "gift-certificate",
  PaymentMethodConvenienceStore: "convenience-store",
  PaymentMethodCrypto: "crypto",
};

export function toPaymentView(record: PaymentRecord, payment: PortOnePayment | null): PaymentView {
  const method = payment?.method;
  const awaitingDeposit =
    record.status === "VIRTUAL_ACCOUNT_ISSUED" &&
    method?.type === "PaymentMethodVirtualAccount" &&
    typeof method.accountNumber === "string";
  return {
    paymentId: record.paymentId,
    orderId: record.orderId,
    status: record.status,
    orderName: payment?.orderName ?? null,
    totalAmount: record.totalAmount,
    paidAmount: payment?.amount?.paid ?? null,
    cancelledAmount: payment?.amount?.cancelled ?? null,
    currency: record.currency,
    methodKind: method
      ? ((typeof method.type === "string" ? METHOD_KINDS[method.type] : undefined) ?? "other")
      : null,
    virtualAccount: awaitingDeposit
      ? {
          bank: method.bank ?? null,
          accountNumber: method.accountNumber as string,
          expiresAt: method.expiredAt ?? null,
        }
      : null,
    requestedAt: payment?.requestedAt ?? null,
    paidAt: payment?.paidAt ?? null,
    failedAt: payment?.failedAt ?? null,
    cancelledAt: payment?.cancelledAt ?? null,
    updatedAt: record.updatedAt,
    receiptUrl: payment?.receiptUrl ?? null,
  };
}
