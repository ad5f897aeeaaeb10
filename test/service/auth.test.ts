import Fastify, { type FastifyInstance } from "fastify";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServiceStack } from "../support/service-stack.js";
import {
  configFromEnv,
  JWT_AUDIENCE,
  JWT_ISSUER,
  type RunningService,
  signToken,
  startService,
  trpcClient,
  trpcErrorOf,
} from "./support/harness.js";

const stack = useServiceStack();

async function alicesPaidPayment() {
  const order = stack.placeOrder("alice");
  const alice = await stack.client("alice");
  const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
  await stack.checkout(prepared, { ...prepared, outcome: "paid" });
  await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
  return { order, paymentId: prepared.paymentId };
}

describe("caller identity", () => {
  it("another customer's payment or order answers NOT_FOUND, exactly like a missing one", async () => {
    const { order, paymentId } = await alicesPaidPayment();
    const bob = await stack.client("bob");
    for (const call of [
      bob.payment.get.query({ paymentId }),
      bob.payment.complete.mutate({ paymentId }),
      bob.payment.confirm.mutate({ paymentId, paymentToken: "x", txId: "y" }),
      bob.payment.prepare.mutate({ orderId: order.orderId }),
    ]) {
      const error = await trpcErrorOf(call);
      expect(error.code).toBe("NOT_FOUND");
    }
    const missing = await trpcErrorOf(
      bob.payment.get.query({ paymentId: "payment-does-not-exist" }),
    );
    const foreign = await trpcErrorOf(bob.payment.get.query({ paymentId }));
    expect(foreign.message).toBe(missing.message);
  });

  it("a guest order (no customer) is payable by any signed-in caller holding it", async () => {
    const order = stack.placeOrder(null);
    const carol = await stack.client("carol");
    const prepared = await carol.payment.prepare.mutate({ orderId: order.orderId });
    expect(prepared.totalAmount).toBe(order.totalAmount);
  });

  it("missing, malformed, expired, forged, wrong-issuer and wrong-audience tokens are UNAUTHORIZED", async () => {
    const { paymentId } = await alicesPaidPayment();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("alice")
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 600)
      .sign(new TextEncoder().encode("test-only-hs256-secret-0123456789-abcdefghij"));
    const tokens: Record<string, string | undefined> = {
      missing: undefined,
      garbage: "not.a.jwt",
      expired,
      forged: await signToken("alice", { secret: "an-attackers-own-secret-0123456789-xyz" }),
      wrongIssuer: await signToken("alice", { issuer: "https://evil.test" }),
      wrongAudience: await signToken("alice", { audience: "someone-else" }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const error = await trpcErrorOf(
        trpcClient(stack.running.url, token).payment.get.query({ paymentId }),
      );
      expect({ name, code: error.code, httpStatus: error.httpStatus }).toEqual({
        name,
        code: "UNAUTHORIZED",
        httpStatus: 401,
      });
    }
    const expiredError = await trpcErrorOf(
      trpcClient(stack.running.url, expired).payment.get.query({ paymentId }),
    );
    expect(expiredError.message).toMatch(/expired/);
  });

  it("the Authorization header must be a Bearer token", async () => {
    const response = await fetch(
      `${stack.running.url}/trpc/payment.get?input=${encodeURIComponent(JSON.stringify({ paymentId: "x" }))}`,
      { headers: { authorization: "Basic YWxpY2U6cGFzc3dvcmQ=" } },
    );
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/Bearer/);
  });
});

describe("JWKS verification (RS256 keys served by an identity provider)", () => {
  let idp: FastifyInstance;
  let jwksService: RunningService;
  let privateKey: Parameters<SignJWT["sign"]>[0];

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
    idp = Fastify();
    idp.get("/.well-known/jwks.json", async () => ({ keys: [jwk] }));
    const idpUrl = await idp.listen({ port: 0, host: "127.0.0.1" });
    jwksService = await startService(
      configFromEnv({
        ...stack.env,
        AUTH_JWT_SECRET: "",
        AUTH_JWKS_URL: `${idpUrl}/.well-known/jwks.json`,
        AUTH_CUSTOMER_CLAIM: "customer_id",
      }),
    );
  });
  afterAll(async () => {
    await jwksService?.service.close();
    await idp?.close();
  });

  const sign = (claims: Record<string, unknown>, key = privateKey) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "key-1" })
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);

  it("accepts a token signed by the provider and reads the configured claim as the customer", async () => {
    const order = stack.placeOrder("dave");
    const dave = trpcClient(jwksService.url, await sign({ sub: "ignored", customer_id: "dave" }));
    const prepared = await dave.payment.prepare.mutate({ orderId: order.orderId });
    expect(prepared.totalAmount).toBe(order.totalAmount);
  });

  it("rejects a token signed by another key, and an HS256 token", async () => {
    const other = await generateKeyPair("RS256");
    const foreign = await sign({ customer_id: "dave" }, other.privateKey);
    const hs = await signToken("dave");
    for (const token of [foreign, hs]) {
      const error = await trpcErrorOf(
        trpcClient(jwksService.url, token).payment.get.query({ paymentId: "x" }),
      );
      expect(error.code).toBe("UNAUTHORIZED");
    }
  });

  it("rejects a valid signature without the customer claim", async () => {
    const error = await trpcErrorOf(
      trpcClient(jwksService.url, await sign({ sub: "dave" })).payment.get.query({
        paymentId: "x",
      }),
    );
    expect(error.code).toBe("UNAUTHORIZED");
  });
});

describe("an identity provider that cannot be reached", () => {
  it("answers SERVICE_UNAVAILABLE, not UNAUTHORIZED: the caller did nothing wrong", async () => {
    const noIdp = await startService(
      configFromEnv({
        ...stack.env,
        AUTH_JWT_SECRET: "",
        AUTH_JWKS_URL: "http://127.0.0.1:9/.well-known/jwks.json",
      }),
    );
    try {
      const pair = await generateKeyPair("RS256");
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: "key-1" })
        .setSubject("erin")
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setExpirationTime("5m")
        .sign(pair.privateKey);
      const error = await trpcErrorOf(
        trpcClient(noIdp.url, token).payment.get.query({ paymentId: "x" }),
      );
      expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
    } finally {
      await noIdp.service.close();
    }
  });
});
