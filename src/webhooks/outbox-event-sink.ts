import { createHash } from "node:crypto";
import type { PaymentEventOutbox, PaymentStatusChanged } from "../payments/ports.js";
import type { EventDispatchReservation } from "./dispatcher.js";
import type { InboundEvent } from "./event.js";
import { internalEventInsert } from "./store/internal-event-insert.js";
import { toLeasedNewEvent } from "./store/rows.js";
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
 * The dispatcher that takes the events this sink stores leased to it (see reserveEventDispatch),
 * and says which ones nobody wants (see needsDispatch).
 */
export interface OutboxDispatch {
  reserveEventDispatch(): EventDispatchReservation | null;
  needsDispatch(type: string): boolean;
  announceDispatched(event: InboundEvent): void;
}

/**
 * Puts the payment domain's status changes into the same inbox as PortOne's webhooks, so
 * subscribers get them durably, with retries, through the same fan-out. They need no payment
 * sync (they are the result of one). The inbox shares the payment records' database, so the
 * records store writes each change's event in the change's own transaction (`beginWrite`);
 * `publish` stores one on its own, for a change announced late.
 *
 * With `dispatch` (this process's dispatcher) and a free slot there, the event is written
 * leased to that dispatcher and handed to it once committed, as ingested webhooks are (see
 * `WebhookDispatcher.storeEvent`): no claim, no notification, no poll. If the process dies
 * first, the lease runs out and any replica claims the event. Without a slot (or without
 * `dispatch`) it is written unleased and `onEventStored` wakes a claimer. An event no
 * subscriber wants (the default: nobody subscribes to status changes) is written already
 * dispatched and shown to the watchers once committed: no slot, no completion write.
 */
export function createOutboxEventSink(
  store: WebhookStore,
  options: {
    readonly dispatch?: OutboxDispatch;
    readonly onEventStored?: () => void;
    readonly clock?: () => number;
  } = {},
): PaymentEventOutbox {
  const clock = options.clock ?? Date.now;
  const stored = coalesced(options.onEventStored ?? (() => {}));
  return {
    async publish(event: PaymentStatusChanged): Promise<void> {
      if (await store.insertEvent(toInboxEvent(event), clock())) stored();
    },
    beginWrite(event) {
      const inboxEvent = toInboxEvent(event);
      const dispatch = options.dispatch;
      if (dispatch && !dispatch.needsDispatch(inboxEvent.type)) {
        const write = {
          event: inboxEvent,
          receivedAt: clock(),
          lease: null,
          dispatched: true,
        } as const;
        return {
          statement: (target) => internalEventInsert(write, target),
          settle(inserted) {
            if (inserted) dispatch.announceDispatched(inboxEvent);
          },
        };
      }
      const reservation = dispatch?.reserveEventDispatch() ?? null;
      const pending = {
        event: inboxEvent,
        receivedAt: clock(),
        lease: reservation?.lease ?? null,
        dispatched: false,
      } as const;
      return {
        statement: (target) => internalEventInsert(pending, target),
        settle(inserted) {
          if (reservation) {
            const lease = reservation.lease;
            reservation.settle(inserted ? toLeasedNewEvent({ ...pending, lease }) : null);
          } else if (inserted) stored();
        },
      };
    },
  };
}

/** A status change as the inbox stores it; its id names the change (statusChangeEventId). */
function toInboxEvent(event: PaymentStatusChanged): InboundEvent {
  const { type, occurredAt, ...data } = event;
  return {
    id: statusChangeEventId(event),
    source: "internal",
    format: "internal",
    type,
    occurredAt,
    data,
  };
}

/**
 * Each change commits its event on its own (no group commit), so the dispatcher would be woken,
 * and claim, once per event. The events committed within one turn of the event loop wake it
 * once instead, right after that turn, and are claimed together.
 */
function coalesced(wake: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      wake();
    });
  };
}
