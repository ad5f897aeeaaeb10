import { describe, expect, it } from "vitest";
import { decideOutcome } from "../../src/webhooks/dispatcher.js";

const policy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 30_000 };
const now = 1_700_000_000_000;
const failed = { ok: false as const, statusCode: 503, error: "HTTP 503" };

describe("decideOutcome", () => {
  it("a successful attempt is delivered, whatever the attempt number", () => {
    expect(
      decideOutcome({ attemptSinceReplay: 3 }, { ok: true, statusCode: 204 }, policy, now),
    ).toEqual({
      kind: "delivered",
      now,
      statusCode: 204,
    });
  });

  it("a failed attempt within the budget is retried after the backoff of that attempt", () => {
    expect(decideOutcome({ attemptSinceReplay: 1 }, failed, policy, now, () => 0)).toEqual({
      kind: "retry",
      now,
      nextAttemptAt: now + 500,
      error: "HTTP 503",
      statusCode: 503,
    });
    const second = decideOutcome({ attemptSinceReplay: 2 }, failed, policy, now, () => 1);
    expect(second).toMatchObject({ kind: "retry", nextAttemptAt: now + 2_000 });
  });

  it("the failed attempt that uses up the budget makes a dead letter", () => {
    expect(decideOutcome({ attemptSinceReplay: 3 }, failed, policy, now)).toEqual({
      kind: "dead",
      now,
      error: "HTTP 503",
      statusCode: 503,
    });
    const unreachable = { ok: false as const, statusCode: null, error: "ECONNREFUSED" };
    expect(decideOutcome({ attemptSinceReplay: 4 }, unreachable, policy, now)).toMatchObject({
      kind: "dead",
      statusCode: null,
    });
  });
});
