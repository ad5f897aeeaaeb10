import type { PortOnePayment } from "./ports.js";

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

/**
 * What the payment view shows of PortOne's payment, kept in the payment record by every sync
 * so that a read can answer without asking PortOne again. Only what a browser may see: nothing
 * about the shop's PortOne account, PG responses or other customers.
 */
export interface PaymentDetails {
  readonly orderName: string | null;
  readonly paidAmount: number | null;
  readonly cancelledAmount: number | null;
  readonly methodKind: PaymentMethodKind | null;
  /** The account a virtual-account payment deposits to; the view shows it while awaited. */
  readonly virtualAccount: {
    readonly bank: string | null;
    readonly accountNumber: string;
    readonly expiresAt: string | null;
  } | null;
  readonly requestedAt: string | null;
  readonly paidAt: string | null;
  readonly failedAt: string | null;
  readonly cancelledAt: string | null;
  readonly receiptUrl: string | null;
}

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

/** The details of PortOne's payment, always built in the same key order (records compare them as JSON). */
export function describePayment(payment: PortOnePayment): PaymentDetails {
  const method = payment.method;
  const isVirtualAccount =
    method?.type === "PaymentMethodVirtualAccount" && typeof method.accountNumber === "string";
  return {
    orderName: payment.orderName ?? null,
    paidAmount: payment.amount?.paid ?? null,
    cancelledAmount: payment.amount?.cancelled ?? null,
    methodKind: method
      ? ((typeof method.type === "string" ? METHOD_KINDS[method.type] : undefined) ?? "other")
      : null,
    virtualAccount: isVirtualAccount
      ? {
          bank: method.bank ?? null,
          accountNumber: method.accountNumber as string,
          expiresAt: method.expiredAt ?? null,
        }
      : null,
    requestedAt: payment.requestedAt ?? null,
    paidAt: payment.paidAt ?? null,
    failedAt: payment.failedAt ?? null,
    cancelledAt: payment.cancelledAt ?? null,
    receiptUrl: payment.receiptUrl ?? null,
  };
}

export function sameDetails(a: PaymentDetails | null, b: PaymentDetails | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
