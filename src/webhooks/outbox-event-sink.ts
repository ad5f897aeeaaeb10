import { randomUUID } from "node:crypto";
import type { PaymentEventSink, PaymentStatusChanged } from "../payments/ports.js";
import type { WebhookStore } from "./store/webhook-store.js";

/**
 * Puts the payment domain's status changes into the same inbox as PortOne's webhooks, so
 * subscribers get them durably, with retries, through the same fan-out. They need no payment
 * sync (they are the result of one), and their ids are generated, as nothing deduplicates them
 * upstream: `syncPayment` publishes each change once.
 */
export function createOutboxEventSink(
  store: WebhookStore,
  options: { readonly onEventStored?: () => void; readonly clock?: () => number } = {},
): PaymentEventSink {
  const clock = options.clock ?? Date.now;
  return {
    async publish(event: PaymentStatusChanged): Promise<void> {
      const { type, occurredAt, ...data } = event;
      await store.insertEvent(
        {
          id: `evt_${randomUUID()}`,
          source: "internal",
          format: "internal",
          type,
          occurredAt,
          data,
        },
        clock(),
      );
      options.onEventStored?.();
    },
  };
}
