import type { InboundEvent } from "../../../src/webhooks/event.js";

/** A verified, normalised Transaction event (or of `type`) as the route hands it to the store. */
export function inboundEvent(id: string, type = "Transaction.Paid"): InboundEvent {
  return {
    id,
    source: "portone",
    format: "2024-04-25",
    type,
    occurredAt: "2024-04-25T10:00:00.000Z",
    data: { paymentId: `pay-${id}`, transactionId: "tx-1", storeId: "store-1" },
  };
}
