import { describe, expect, it } from "vitest";
import { signToken } from "../service/support/harness.js";
import { useServiceStack } from "../support/service-stack.js";

/**
 * The attack: one HTTP batch of 290 `payment.get` calls made 290 PortOne calls and counted as
 * one rate-limit unit. Now a batch has a size limit, and every call in it is one unit.
 */

const stack = useServiceStack({
  env: {
    RATE_LIMIT_MAX: "25",
    MAX_BATCH_SIZE: "10",
    LOG_LEVEL: "warn",
  },
  shop: false,
});

/** A raw batch of `count` payment.complete calls (each syncs with PortOne), as an attacker sends it. */
async function batch(count: number, token: string): Promise<Response> {
  const paths = Array.from({ length: count }, () => "payment.complete").join(",");
  const input = Object.fromEntries(
    Array.from({ length: count }, (_, index) => [index, { paymentId: `missing-${index}` }]),
  );
  return fetch(`${stack.running.url}/trpc/${paths}?batch=1`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(input),
  });
}

describe("batch amplification", () => {
  it("a batch of 290 calls is a 400 for every call, saying the limit", async () => {
    const response = await batch(290, await signToken("amplifier"));
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { message: string; data: { code: string } };
    }[];
    expect(body).toHaveLength(290);
    expect(body[0]?.error.data.code).toBe("BAD_REQUEST");
    expect(body[0]?.error.message).toContain("at most 10 calls; this one has 290");
  });

  it("the limit is exact: 11 calls are refused before any runs, 10 are not", async () => {
    const over = await batch(11, await signToken("one-too-many"));
    expect(over.status).toBe(400);
    const body = (await over.json()) as { error: { message: string } }[];
    expect(body).toHaveLength(11);
    expect(body[0]?.error.message).toContain("at most 10 calls; this one has 11");
    // Ten run (unknown payments: NOT_FOUND each).
    expect((await batch(10, await signToken("exactly-enough"))).status).toBe(404);
  });

  it("every call of a batch counts against the rate limit", async () => {
    const token = await signToken("batcher");
    // 25 calls per window: two full batches (20 calls) pass, the third (30 > 25) is limited.
    // The calls run (unknown payments: NOT_FOUND each), so the batch answers 404.
    const first = await batch(10, token);
    expect(first.status).toBe(404);
    expect(first.headers.get("x-ratelimit-remaining")).toBe("15");
    expect((await batch(10, token)).status).toBe(404);
    const third = await batch(10, token);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await third.json()) as { error: { data: { code: string } } }[];
    expect(body.every((entry) => entry.error.data.code === "TOO_MANY_REQUESTS")).toBe(true);
    // Another customer has a budget of its own.
    expect((await batch(10, await signToken("someone-else"))).status).toBe(404);
  });
});
