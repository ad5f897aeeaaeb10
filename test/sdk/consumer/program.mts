/**
 * A program outside the repository that depends on the packed @portone-bff/sdk alone (ESM).
 * Type-checked without @types/node, then run against the sandbox: argv = baseUrl secret storeId.
 */
import { Payment, PortOneClient, paginate, RestError } from "@portone-bff/sdk";
import { BillingKeyClient } from "@portone-bff/sdk/payment/billingKey";
import * as Webhook from "@portone-bff/sdk/webhook";

declare const process: { argv: string[] };

const [baseUrl, secret, storeId] = process.argv.slice(2) as [string, string, string];
const init = { secret, baseUrl, storeId, timeoutMs: 10_000 };
const portone = PortOneClient(init);

const { billingKeyInfo } = await BillingKeyClient(init).issueBillingKey({
  method: {
    card: { credential: { number: "5365-1000-0000-1234", expiryYear: "30", expiryMonth: "12" } },
  },
  customer: { id: "consumer-esm" },
});
const paymentId = `consumer-esm-${Date.now()}`;
await portone.payment.payWithBillingKey({
  paymentId,
  billingKey: billingKeyInfo.billingKey,
  orderName: "Consumer test",
  amount: { total: 1_000 },
  currency: "KRW",
});
const payment = await portone.payment.getPayment({ paymentId });

let missing = "";
try {
  await portone.payment.getPayment({ paymentId: "consumer-missing" });
} catch (error) {
  if (error instanceof Payment.GetPaymentError && error instanceof RestError)
    missing = String(error.data.type);
}

let listed = 0;
for await (const item of paginate(portone.payment.getPayments, { filter: { storeId } })) {
  if (item.status === "PAID" && item.id === paymentId) listed++;
}

const secretKey = `whsec_${btoa("consumer webhook secret 32 bytes")}`;
const body = JSON.stringify({
  type: "Transaction.Paid",
  timestamp: new Date().toISOString(),
  data: { paymentId, storeId, transactionId: "tx" },
});
const webhook = await Webhook.verify(secretKey, body, await Webhook.sign(secretKey, body));

console.log(
  JSON.stringify({
    status: payment.status,
    total: payment.status === "PAID" ? payment.amount.total : undefined,
    missing,
    listed,
    webhook: webhook.type,
  }),
);
