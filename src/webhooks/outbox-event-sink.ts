import { createHash } from "node:crypto";
import type { PaymentEventSink, PaymentStatusChanged } from "../payments/ports.js";
import type { WebhookStore } from "./store/webhook-store.js";

/**
 * The id of one status change, derived from the change itself: the payment, the record
 * version that holds the change, and the transition. Every announcement of the same change
 * (the writer's, or a later sync's after the writer crashed before marking it published)
 * carries the same id, so the inbox stores it once and subscribers that dedupe on `id` see it
 * once.
 */
export function statusChangeEventId(event: PaymentStatusChanged): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([event.paymentId, event.version, event.previousStatus, event.status]))
    .digest("base64url");
  return `evt_${digest.slice(0, 32)}`;
}

/**
 * Puts the payment domain's status changes into the same inbox as PortOne's webhooks, so
 * subscribers get them durably, with retries, through the same fan-out. They need no payment
 * sync (they are the result of one).
 */
export function createOutboxEventSink(
  store: WebhookStore,
  options: { readonly onEventStored?: () => void; readonly clock?: () => number } = {},
): PaymentEventSink {
  const clock = options.clock ?? Date.now;
  return {
    async publish(event: PaymentStatusChanged): Promise<void> {
      const { type, occurredAt, ...data } = event;
      const inserted = await store.insertEvent(
        {
          id: statusChangeEventId(event),
          source: "internal",
          format: "internal",
          type,
          occurredAt,
          data,
        },
        clock(),
      );
      if (inserted) options.onEventStored?.();
    },
  };
}
