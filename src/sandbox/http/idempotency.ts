import type { Clock } from "../options.js";
import type { IdempotencyRecord } from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";
import { invalidRequest, PortOneApiError } from "./api-error.js";

const KEY_TTL_MS = 3 * 60 * 60 * 1000;
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Reads an `Idempotency-Key` header: an RFC 8941 string (in double quotes) of 16 to 256
 * printable ASCII characters.
 */
export function parseIdempotencyKey(header: string): string {
  const fix =
    'Send it as a quoted string of 16-256 ASCII characters, e.g. Idempotency-Key: "order-1234-cancel-1".';
  if (header.length < 2 || !header.startsWith('"') || !header.endsWith('"')) {
    throw invalidRequest(`Idempotency-Key must be an RFC 8941 string in double quotes. ${fix}`);
  }
  let key = "";
  const inner = header.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i] as string;
    const code = char.charCodeAt(0);
    if (char === "\\") {
      const next = inner[i + 1];
      if (next !== '"' && next !== "\\")
        throw invalidRequest(`Idempotency-Key has a bad escape. ${fix}`);
      key += next;
      i++;
    } else if (char === '"' || code < 0x20 || code > 0x7e) {
      throw invalidRequest(`Idempotency-Key may only hold printable ASCII characters. ${fix}`);
    } else {
      key += char;
    }
  }
  if (key.length < 16 || key.length > 256) {
    throw invalidRequest(
      `Idempotency-Key must be 16 to 256 characters long, not ${key.length}. ${fix}`,
    );
  }
  return key;
}

export type IdempotencyDecision =
  | { kind: "none" }
  | { kind: "fresh"; key: string; fingerprint: string }
  | { kind: "replay"; record: IdempotencyRecord };

/**
 * PortOne's Idempotency-Key semantics: the first request with a key runs, a concurrent one gets
 * 409 IDEMPOTENCY_OUTSTANDING_REQUEST, later ones get the stored response for 3 hours.
 */
export class IdempotencyKeys {
  private readonly outstanding = new Set<string>();

  constructor(
    private readonly state: SandboxState,
    private readonly clock: Clock,
  ) {}

  begin(method: string, header: string | undefined, fingerprint: string): IdempotencyDecision {
    if (!MUTATING.has(method) || header === undefined) return { kind: "none" };
    const key = parseIdempotencyKey(header);
    if (this.outstanding.has(key)) {
      throw new PortOneApiError(
        "IDEMPOTENCY_OUTSTANDING_REQUEST",
        "A request with this Idempotency-Key is still being processed; retry a little later.",
        {},
        409,
      );
    }
    const stored = this.state.idempotency.get(key);
    if (stored && stored.expiresAt > this.clock.now()) {
      if (stored.fingerprint !== fingerprint) {
        throw invalidRequest(
          "This Idempotency-Key was already used for a different request; use a new key for every new request.",
        );
      }
      return { kind: "replay", record: stored };
    }
    this.outstanding.add(key);
    return { kind: "fresh", key, fingerprint };
  }

  complete(
    decision: { key: string; fingerprint: string },
    response: { statusCode: number; body: string; contentType: string },
  ): void {
    this.outstanding.delete(decision.key);
    const now = this.clock.now();
    for (const [key, record] of this.state.idempotency) {
      if (record.expiresAt <= now) this.state.idempotency.delete(key);
    }
    this.state.idempotency.set(decision.key, {
      fingerprint: decision.fingerprint,
      ...response,
      expiresAt: now + KEY_TTL_MS,
    });
    this.state.changed();
  }

  /** The request ended without a response to store (client gone, connection reset). */
  abandon(key: string): void {
    this.outstanding.delete(key);
  }
}
