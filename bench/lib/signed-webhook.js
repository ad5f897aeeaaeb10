// PortOne-style webhooks for the ingest benchmarks: every call a new webhook-id, signed with
// Standard Webhooks HMAC-SHA256 as PortOne signs them.
import { createHmac, randomBytes } from "node:crypto";

/** A fresh `whsec_` secret: the parent signs with `bytes`, the servers verify with `secret`. */
export function webhookSecret(base64 = randomBytes(32).toString("base64")) {
  return { base64, bytes: Buffer.from(base64, "base64"), secret: `whsec_${base64}` };
}

/** Returns a function that makes the next signed `Transaction.Paid` webhook: `{ body, headers }`. */
export function webhookSigner(secretBytes, idPrefix) {
  let sequence = 0;
  return () => {
    const n = ++sequence;
    const id = `${idPrefix}_${process.pid}_${n}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = JSON.stringify({
      type: "Transaction.Paid",
      timestamp: new Date().toISOString(),
      data: { storeId: "store-bench", paymentId: `payment-${n}`, transactionId: `tx-${n}` },
    });
    const signature = createHmac("sha256", secretBytes)
      .update(`${id}.${timestamp}.${body}`)
      .digest("base64");
    return {
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": timestamp,
        "webhook-signature": `v1,${signature}`,
      },
    };
  };
}
