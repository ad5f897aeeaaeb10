import type { Webhook } from "../../sdk/webhook/index.js";
import type { SandboxEvent } from "../domain/context.js";
import type { WebhookVersion } from "../options.js";

type KnownWebhook = Extract<Webhook, { data: unknown }>;

/** The legacy format names statuses after the event, e.g. "Paid", "PartialCancelled". */
function legacyStatus(type: string): string {
  return type.slice(type.indexOf(".") + 1);
}

/**
 * The body an endpoint of `version` receives for `event`, or undefined when that format has no
 * such event (the legacy format only knows transactions).
 */
export function webhookBody(
  event: SandboxEvent,
  timestamp: string,
  version: WebhookVersion,
): string | undefined {
  if (version === "2024-01-01") {
    if (!event.type.startsWith("Transaction.")) return undefined;
    return JSON.stringify({
      payment_id: event.data.paymentId,
      tx_id: event.data.transactionId,
      status: legacyStatus(event.type),
    });
  }
  const body = { type: event.type, timestamp, data: event.data } as KnownWebhook;
  return JSON.stringify(body);
}
