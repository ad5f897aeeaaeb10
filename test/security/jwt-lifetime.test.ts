import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  JWT_AUDIENCE,
  JWT_ISSUER,
  JWT_SECRET,
  trpcClient,
  trpcErrorOf,
} from "../service/support/harness.js";
import { useServiceStack } from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The attack: a JWT without `exp` (or with one decades away) was accepted forever, so a token
 * that leaked once was a key for good. Now `exp` is required and the lifetime is bounded.
 */

const MAX_LIFETIME_S = 600;
const TOLERANCE_S = 5;

const stack = useServiceStack({
  env: {
    LOG_LEVEL: "warn",
    AUTH_MAX_TOKEN_LIFETIME_S: String(MAX_LIFETIME_S),
    AUTH_CLOCK_TOLERANCE_S: String(TOLERANCE_S),
  },
  shop: false,
});

const now = () => Math.floor(Date.now() / 1000);

function token(claims: { iat?: number; exp?: number }): Promise<string> {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("alice")
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE);
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(JWT_SECRET));
}

/** The call's error code: NOT_FOUND means the caller was accepted (the payment does not exist). */
async function answerTo(jwt: string): Promise<string> {
  const client = trpcClient(stack.running.url, jwt);
  return (await trpcErrorOf(client.payment.get.query({ paymentId: "no-such-payment" }))).code;
}

describe("JWT lifetime", () => {
  it("a token without exp is UNAUTHORIZED", async () => {
    expect(await answerTo(await token({ iat: now() }))).toBe("UNAUTHORIZED");
    expect(await answerTo(await token({}))).toBe("UNAUTHORIZED");
  });

  it("a token whose exp is too far ahead is UNAUTHORIZED, with or without iat", async () => {
    expect(await answerTo(await token({ iat: now(), exp: now() + 10 * 365 * 86_400 }))).toBe(
      "UNAUTHORIZED",
    );
    expect(await answerTo(await token({ iat: now(), exp: now() + MAX_LIFETIME_S + 60 }))).toBe(
      "UNAUTHORIZED",
    );
    expect(await answerTo(await token({ exp: now() + MAX_LIFETIME_S + 60 }))).toBe("UNAUTHORIZED");
  });

  it("a token that verified once is refused once it has expired (no cached acceptance)", async () => {
    const issued = now();
    const shortLived = await token({ iat: issued, exp: issued + 1 });
    // Accepted, and so remembered as verified.
    expect(await answerTo(shortLived)).toBe("NOT_FOUND");
    expect(await answerTo(shortLived)).toBe("NOT_FOUND");
    // The same token string, polled until its exp and the clock tolerance have passed.
    await waitFor(async () => (await answerTo(shortLived)) === "UNAUTHORIZED", {
      intervalMs: 250,
      description: "the expired token to be refused",
    });
  });

  it("a token within the lifetime and the clock tolerance is accepted", async () => {
    const issued = now();
    expect(await answerTo(await token({ iat: issued, exp: issued + MAX_LIFETIME_S }))).toBe(
      "NOT_FOUND",
    );
    // Lifetime over the maximum by less than the tolerance.
    expect(
      await answerTo(await token({ iat: issued, exp: issued + MAX_LIFETIME_S + TOLERANCE_S - 2 })),
    ).toBe("NOT_FOUND");
    // Expired a moment ago, within the tolerance.
    expect(await answerTo(await token({ iat: issued - 60, exp: issued - 2 }))).toBe("NOT_FOUND");
    // Expired beyond the tolerance.
    expect(await answerTo(await token({ iat: issued - 120, exp: issued - 60 }))).toBe(
      "UNAUTHORIZED",
    );
  });
});
