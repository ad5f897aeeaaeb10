/**
 * Body of PortOne's legacy 2024-01-01 webhook format (still sent to stores configured for it),
 * as JSON or `application/x-www-form-urlencoded`. It is signed like the 2024-04-25 format, so
 * check it with `verifySignature` and read it with `parseLegacyWebhookBody`.
 */
export interface LegacyWebhookBody {
  /** The merchant's own payment id. */
  payment_id: string;
  /** PortOne's transaction id. */
  tx_id: string;
  /** The payment status after the change, e.g. "Paid" or "Cancelled". */
  status: string;
}

const legacyFields = ["payment_id", "tx_id", "status"] as const;

/**
 * Reads a legacy body, JSON or form-encoded (decided by its first character, as a JSON body is
 * an object); undefined when it is neither or lacks one of the three fields.
 */
export function parseLegacyWebhookBody(body: string): LegacyWebhookBody | undefined {
  const text = body.trimStart();
  let fields: Record<string, unknown>;
  if (text.startsWith("{")) {
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  } else {
    fields = Object.fromEntries(new URLSearchParams(text));
  }
  if (typeof fields !== "object" || fields === null) return undefined;
  for (const field of legacyFields) {
    if (typeof fields[field] !== "string" || fields[field] === "") return undefined;
  }
  return {
    payment_id: fields.payment_id,
    tx_id: fields.tx_id,
    status: fields.status,
  } as LegacyWebhookBody;
}
