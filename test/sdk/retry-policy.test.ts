import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  isRetryableStatus,
  retryAfterMs,
} from "../../src/sdk/runtime/retry-policy.js";

describe("retry policy", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(
      5000,
    );
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "600" }), now)).toBe(Number.POSITIVE_INFINITY);
  });

  it("backs off exponentially with jitter, bounded", () => {
    expect(backoffDelayMs(1, () => 0)).toBe(125);
    expect(backoffDelayMs(1, () => 1)).toBe(250);
    expect(backoffDelayMs(3, () => 1)).toBe(1000);
    expect(backoffDelayMs(30, () => 1)).toBe(8000);
  });

  it("takes other bounds (the service's webhook retries), capped however many retries failed", () => {
    const bounds = { baseDelayMs: 1_000, maxDelayMs: 30_000 };
    expect(backoffDelayMs(1, () => 0, bounds)).toBe(500);
    expect(backoffDelayMs(3, () => 0.5, bounds)).toBe(3_000);
    expect(backoffDelayMs(60, () => 1, bounds)).toBe(30_000);
    expect(backoffDelayMs(60, () => 0, bounds)).toBe(15_000);
    const spread = new Set(
      Array.from({ length: 50 }, () => backoffDelayMs(4, Math.random, bounds)),
    );
    expect(spread.size).toBeGreaterThan(10);
    for (const delay of spread) {
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });

  it("retries transient statuses only", () => {
    expect(isRetryableStatus(429, undefined)).toBe(true);
    expect(isRetryableStatus(503, undefined)).toBe(true);
    expect(isRetryableStatus(500, "INTERNAL")).toBe(true);
    expect(isRetryableStatus(409, "IDEMPOTENCY_OUTSTANDING_REQUEST")).toBe(true);
    expect(isRetryableStatus(409, "ALREADY_PAID")).toBe(false);
    expect(isRetryableStatus(400, "INVALID_REQUEST")).toBe(false);
    expect(isRetryableStatus(404, undefined)).toBe(false);
    expect(isRetryableStatus(502, "PG_PROVIDER")).toBe(false);
  });
});
