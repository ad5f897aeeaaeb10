import type { DeliveryRecord, WebhookStore } from "../../../src/webhooks/store/webhook-store.js";
import { waitFor } from "../../support/wait-for.js";

/**
 * The event's (first) delivery once it is marked delivered. A delivery is marked by a write of
 * its own after the handler or subscriber returned, committed a moment later (PostgreSQL holds
 * it up to 2 ms for company): seeing the handler run does not mean the mark is in yet.
 */
export async function deliveredDelivery(
  store: Pick<WebhookStore, "listDeliveries">,
  eventId: string,
): Promise<DeliveryRecord> {
  return waitFor(
    async () => {
      const [delivery] = await store.listDeliveries({ eventId });
      return delivery?.state === "delivered" ? delivery : undefined;
    },
    { description: `the delivery of ${eventId} marked delivered` },
  );
}
