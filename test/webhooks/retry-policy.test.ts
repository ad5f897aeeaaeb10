import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../src/webhooks/retry-policy.js";

describe("retryDelayMs", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 30_000 };

  it("doubles per failed attempt, half of each delay fixed and half random", () => {
    expect(retryDelayMs(policy, 1, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(1_000);
    expect(retryDelayMs(policy, 2, () => 0)).toBe(1_000);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(3_000);
  });

  it("never exceeds the cap, however many attempts failed", () => {
    expect(retryDelayMs(policy, 6, () => 1)).toBe(30_000);
    expect(retryDelayMs(policy, 60, () => 1)).toBe(30_000);
    expect(retryDelayMs(policy, 60, () => 0)).toBe(15_000);
  });

  it("spreads retries of deliveries that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 4)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });
});
