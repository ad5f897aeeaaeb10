import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A guest (no customer account) proves it is the one who started a guest order's checkout
 * with the token its first `payment.prepare` returned: 32 random bytes, base64url. Only the
 * SHA-256 is stored, so a copy of the database cannot act for a guest; a plain hash suffices
 * because the token is random, not a password.
 */
export const GUEST_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedGuestToken {
  /** Given to the guest once; never stored or logged. */
  readonly token: string;
  readonly hash: string;
}

export function issueGuestToken(): IssuedGuestToken {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashGuestToken(token) };
}

function hashGuestToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64url");
}

/** Compared in constant time, so response timing tells nothing about how close a guess was. */
export function guestTokenMatches(token: string | undefined, storedHash: string | null): boolean {
  if (token === undefined || storedHash === null) return false;
  const presented = Buffer.from(hashGuestToken(token), "base64url");
  const stored = Buffer.from(storedHash, "base64url");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
