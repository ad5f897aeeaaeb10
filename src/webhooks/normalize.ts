import type { InboundEvent } from "./event.js";

export type NormaliseResult =
  | { readonly ok: true; readonly event: InboundEvent }
  | { readonly ok: false; readonly reason: "MALFORMED_BODY"; readonly detail: string };

/**
 * Turns a verified webhook body into the internal event shape. 2024-04-25 bodies carry
 * `{ type, timestamp, data }`; the legacy 2024-01-01 format carries `payment_id`, `tx_id` and
 * `status`, as JSON or form-urlencoded. Unknown types are kept as they are (PortOne adds
 * types without notice), so only bodies that are no webhook of any version are refused.
 */
export function normaliseWebhookBody(input: {
  readonly webhookId: string;
  readonly body: string;
  readonly contentType: string | undefined;
  readonly receivedAt: Date;
}): NormaliseResult {
  const parsed = parseBody(input.body, input.contentType);
  if (!parsed.ok) return parsed;
  const body = parsed.value;

  if (typeof body.type === "string" && body.type.length > 0) {
    const data = isPlainObject(body.data) ? body.data : {};
    const timestamp =
      typeof body.timestamp === "string" ? body.timestamp : input.receivedAt.toISOString();
    return {
      ok: true,
      event: {
        id: input.webhookId,
        source: "portone",
        format: "2024-04-25",
        type: body.type,
        occurredAt: timestamp,
        data,
      },
    };
  }
  if ("type" in body) {
    return { ok: false, reason: "MALFORMED_BODY", detail: "`type` must be a non-empty string" };
  }

  if (typeof body.payment_id === "string" && typeof body.status === "string") {
    const data: Record<string, unknown> = { paymentId: body.payment_id };
    if (typeof body.tx_id === "string") data.transactionId = body.tx_id;
    if (typeof body.store_id === "string") data.storeId = body.store_id;
    return {
      ok: true,
      event: {
        id: input.webhookId,
        source: "portone",
        format: "2024-01-01",
        type: `Transaction.${legacyStatusToEventSuffix(body.status)}`,
        occurredAt: input.receivedAt.toISOString(),
        data,
      },
    };
  }
  return {
    ok: false,
    reason: "MALFORMED_BODY",
    detail: "neither a 2024-04-25 body (`type`) nor a 2024-01-01 body (`payment_id`, `status`)",
  };
}

function parseBody(
  body: string,
  contentType: string | undefined,
):
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; reason: "MALFORMED_BODY"; detail: string } {
  if (contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(body)) };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: "MALFORMED_BODY", detail: "body is not valid JSON" };
  }
  if (!isPlainObject(value)) {
    return { ok: false, reason: "MALFORMED_BODY", detail: "body is not a JSON object" };
  }
  return { ok: true, value };
}

/**
 * Legacy statuses are the 2024-04-25 type suffixes in PascalCase ("Paid"); some senders use
 * upper snake case ("VIRTUAL_ACCOUNT_ISSUED"), which is folded to the same suffix.
 */
function legacyStatusToEventSuffix(status: string): string {
  if (!status.includes("_") && status !== status.toUpperCase()) return status;
  return status
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
