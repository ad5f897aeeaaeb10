/** Idempotency keys for mutating calls, written as RFC 8941 strings as PortOne expects. */

/** What PortOne accepts: 16 to 256 printable ASCII characters. */
const ALLOWED = /^[\x20-\x7e]{16,256}$/;

export function newIdempotencyKey(): string {
  return `portone-bff-${crypto.randomUUID()}`;
}

/** `abc` -> `"abc"`, escaping `\` and `"`; rejects keys PortOne would refuse. */
export function formatIdempotencyKey(key: string): string {
  if (!ALLOWED.test(key)) {
    throw new TypeError("idempotencyKey must be 16 to 256 printable ASCII characters");
  }
  return `"${key.replace(/[\\"]/g, "\\$&")}"`;
}
