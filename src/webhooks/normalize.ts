import type { InboundEvent } from "./event.js";
import { isCleanLabel, jsonNestsDeeperThan, MAX_JSON_DEPTH } from "./untrusted-text.js";

/** Longest event type and timestamp accepted; PortOne's are a few dozen characters. */
const MAX_TYPE_LENGTH = 100;
const MAX_TIMESTAMP_LENGTH = 64;

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
    const problem = labelProblem(body.type, timestamp);
    if (problem) return { ok: false, reason: "MALFORMED_BODY", detail: problem };
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
    if (!isCleanLabel(body.status, MAX_TYPE_LENGTH)) {
      return { ok: false, reason: "MALFORMED_BODY", detail: STATUS_RULE };
    }
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

const TYPE_RULE = `\`type\` must be 1 to ${MAX_TYPE_LENGTH} characters without control characters`;
const STATUS_RULE = `\`status\` must be 1 to ${MAX_TYPE_LENGTH} characters without control characters`;
const TIMESTAMP_RULE = `\`timestamp\` must be 1 to ${MAX_TIMESTAMP_LENGTH} characters without control characters`;

/** The fields stored as columns (not inside the JSON `data`) must be plain text. */
function labelProblem(type: string, timestamp: string): string | undefined {
  if (!isCleanLabel(type, MAX_TYPE_LENGTH)) return TYPE_RULE;
  if (!isCleanLabel(timestamp, MAX_TIMESTAMP_LENGTH)) return TIMESTAMP_RULE;
  return undefined;
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
  // Checked on the raw text, before anything (parser, serialiser, database) recurses over it.
  if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      reason: "MALFORMED_BODY",
      detail: `body nests deeper than ${MAX_JSON_DEPTH} levels`,
    };
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
