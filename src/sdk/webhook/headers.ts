/**
 * Request headers as a web framework hands them over: a Fetch `Headers` (or anything with a
 * `get(name)` method), a plain object, or Node's `IncomingHttpHeaders`. Names are matched
 * case-insensitively.
 */
export type WebhookHeaders =
  | { get(name: string): string | null | undefined }
  | WebhookUnbrandedRequiredHeaders
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The three headers every Standard Webhooks request carries; `sign` returns exactly these.
 * A type alias rather than an interface so that it fits `Record<string, string>` and `HeadersInit`.
 */
export type WebhookUnbrandedRequiredHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export interface RequiredHeaderValues {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

// Marks a header that is unusable: sent twice, or not a string.
const ambiguous = /* @__PURE__ */ Symbol("ambiguous");
type Found = string | typeof ambiguous | undefined;

/**
 * A header sent twice arrives joined as "a, b" (Fetch `Headers` and Node's `req.headers` both join
 * that way). None of the three values ever contains ", " on its own (a signature list is separated
 * by single spaces), so such a value means the header was duplicated, and we refuse to guess
 * which copy is genuine.
 */
function single(value: unknown, previous: Found): Found {
  let current: unknown = value;
  if (Array.isArray(value)) {
    const present = value.filter((item) => item !== undefined && item !== null);
    if (present.length > 1) return ambiguous;
    current = present[0];
  }
  if (current === undefined || current === null) return previous;
  if (previous !== undefined) return ambiguous;
  if (typeof current !== "string" || current.includes(", ")) return ambiguous;
  return current;
}

function usable(found: Found): string | undefined {
  return typeof found === "string" && found !== "" ? found : undefined;
}

/** The three required headers, or undefined when one is missing, empty, or duplicated. */
export function readRequiredHeaders(headers: unknown): RequiredHeaderValues | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  let id: Found;
  let timestamp: Found;
  let signature: Found;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === "function") {
    const get = (name: string): unknown => getter.call(headers, name);
    id = single(get("webhook-id"), undefined);
    timestamp = single(get("webhook-timestamp"), undefined);
    signature = single(get("webhook-signature"), undefined);
  } else {
    // One pass over the names: a plain object may hold the same header under two spellings
    // ("Webhook-Id" and "webhook-id"), which counts as a duplicate.
    const record = headers as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      if (name.length === 10) {
        if (name.toLowerCase() === "webhook-id") id = single(record[name], id);
      } else if (name.length === 17) {
        const lower = name.toLowerCase();
        if (lower === "webhook-timestamp") timestamp = single(record[name], timestamp);
        else if (lower === "webhook-signature") signature = single(record[name], signature);
      }
    }
  }
  const idValue = usable(id);
  const timestampValue = usable(timestamp);
  const signatureValue = usable(signature);
  if (idValue === undefined || timestampValue === undefined || signatureValue === undefined) {
    return undefined;
  }
  return { id: idValue, timestamp: timestampValue, signature: signatureValue };
}
