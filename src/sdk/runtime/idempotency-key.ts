/** Idempotency keys for mutating calls, written as RFC 8941 strings as PortOne expects. */

const MIN_LENGTH = 16;
const MAX_LENGTH = 256;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export function newIdempotencyKey(): string {
  return `portone-bff-${crypto.randomUUID()}`;
}

/** `abc` -> `"abc"`, escaping `\` and `"`; rejects keys PortOne would refuse. */
export function formatIdempotencyKey(key: string): string {
  if (key.length < MIN_LENGTH || key.length > MAX_LENGTH || !PRINTABLE_ASCII.test(key)) {
    throw new TypeError(
      `idempotencyKey must be ${MIN_LENGTH} to ${MAX_LENGTH} printable ASCII characters`,
    );
  }
  return `"${key.replace(/[\\"]/g, "\\$&")}"`;
}
