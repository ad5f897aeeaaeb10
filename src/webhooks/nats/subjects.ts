/**
 * How event types map to NATS subjects, shared by the publisher and the consumer helper so the
 * two can never disagree: `Transaction.Paid` -> `<prefix>.transaction.paid`,
 * `Transaction.VirtualAccountIssued` -> `<prefix>.transaction.virtual_account_issued`,
 * `BillingKey.Issued` -> `<prefix>.billing_key.issued`, and a type without a family, such as
 * `PaymentStatusChanged`, takes its first word as one: `<prefix>.payment.status_changed`.
 */

/** Default stream and subject prefix, used by the service and the consumer helper alike. */
export const DEFAULT_EVENT_STREAM = "PORTONE_EVENTS";
export const DEFAULT_SUBJECT_PREFIX = "portone";

/** One or more dot-separated tokens of lower-case letters, digits, `_` and `-`. */
export const SUBJECT_PREFIX_PATTERN = /^[a-z0-9_-]{1,32}(\.[a-z0-9_-]{1,32}){0,3}$/;
/** What JetStream accepts as a stream name, kept to characters safe in an API subject. */
export const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const MAX_TOKEN_LENGTH = 64;

/** `VirtualAccountIssued` -> `virtual_account_issued`; anything not [A-Za-z0-9] becomes `_`. */
function toSubjectToken(word: string): string {
  const snake = word
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  return (snake || "_").slice(0, MAX_TOKEN_LENGTH);
}

/** The tokens after the prefix for one event type (never a wildcard, never empty). */
export function eventTypeTokens(type: string): string[] {
  const parts = type.split(".").filter((part) => part.length > 0);
  if (parts.length === 0) return ["unknown"];
  if (parts.length === 1) {
    const word = parts[0] as string;
    const family = /^[A-Z][a-z0-9]+(?=[A-Z])/.exec(word)?.[0];
    if (family) return [toSubjectToken(family), toSubjectToken(word.slice(family.length))];
    return [toSubjectToken(word)];
  }
  // Unknown types could nest deeper; two levels keep subjects predictable for filters.
  return [toSubjectToken(parts[0] as string), toSubjectToken(parts.slice(1).join("_"))];
}

export function subjectForEventType(prefix: string, type: string): string {
  return [prefix, ...eventTypeTokens(type)].join(".");
}

/** Every subject the service publishes to under `prefix`: what the stream must capture. */
export function streamSubjects(prefix: string): string {
  return `${prefix}.>`;
}

/**
 * The subject filter for a subscription pattern ("Transaction.Paid", "Transaction.*", "*"),
 * the same patterns HTTP subscribers and in-process handlers use.
 */
export function subjectFilterForPattern(prefix: string, pattern: string): string {
  if (pattern === "*") return streamSubjects(prefix);
  if (pattern.endsWith(".*")) {
    const family = eventTypeTokens(`${pattern.slice(0, -2)}.x`)[0] as string;
    return `${prefix}.${family}.>`;
  }
  return subjectForEventType(prefix, pattern);
}
