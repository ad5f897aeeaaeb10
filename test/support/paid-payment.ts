import type { PaymentRecordStore } from "../../src/payments/ports.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { checkout, type RunningSandbox } from "../service/support/harness.js";

/**
 * A payment this service prepared (its record says PREPARED) that the sandbox has since
 * marked paid, with nobody telling the service: what a crash, a lost webhook or a browser
 * that never called `complete` leaves behind.
 */
export async function paidBehindTheServicesBack(
  sandbox: RunningSandbox,
  records: PaymentRecordStore,
  prefix: string,
): Promise<string> {
  const client = PortOneClient({ secret: sandbox.sandbox.apiSecret, baseUrl: sandbox.url });
  const paymentId = `${prefix}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const totalAmount = 3_000;
  await records.insertPaymentRecord({
    paymentId,
    orderId: `order-${paymentId}`,
    customerId: null,
    totalAmount,
    currency: "KRW",
  });
  await client.payment.preRegisterPayment({ paymentId, totalAmount, currency: "KRW" });
  await checkout(
    sandbox,
    { storeId: sandbox.sandbox.storeId, channelKey: sandbox.sandbox.channelKey },
    { paymentId, orderName: prefix, totalAmount, currency: "KRW", outcome: "paid" },
  );
  return paymentId;
}
