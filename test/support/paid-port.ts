import type {
  PaymentRecordStore,
  PortOnePayment,
  PortOnePaymentApi,
} from "../../src/payments/ports.js";

/** PortOne's answer for a payment paid in full with `amount` (KRW, the test channel). */
export function paidPayment(paymentId: string, amount: number): PortOnePayment {
  return {
    id: paymentId,
    status: "PAID",
    amount: { total: amount, paid: amount },
    currency: "KRW",
    channel: { type: "TEST" },
    paidAt: "2030-01-01T00:00:00.000Z",
  };
}

/**
 * PortOne as a port that reports every payment it is asked about paid with `amount`, for
 * tests of what the service does with a completion rather than of talking to PortOne.
 */
export function paidPortOne(amount: number): PortOnePaymentApi {
  return {
    getPayment: async ({ paymentId }) => paidPayment(paymentId, amount),
    preRegisterPayment: async () => ({}),
    confirmPayment: async () => ({}),
    getPayments: async () => ({ items: [], page: { number: 0, size: 0, totalCount: 0 } }),
  };
}

/** A payment record as `payment.prepare` leaves it: an order of `amount` KRW, no customer. */
export function insertPreparedRecord(
  records: PaymentRecordStore,
  paymentId: string,
  amount: number,
): Promise<unknown> {
  return records.insertPaymentRecord({
    paymentId,
    orderId: `order-${paymentId}`,
    customerId: null,
    totalAmount: amount,
    currency: "KRW",
  });
}
