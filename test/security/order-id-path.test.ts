import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidIdError } from "../../src/payments/errors.js";
import { createHttpOrderSource } from "../../src/payments/order-sources/index.js";
import {
  configFromEnv,
  type RunningSandbox,
  type RunningService,
  SHOP_TOKEN,
  serviceEnv,
  signToken,
  startSandbox,
  startService,
} from "../service/support/harness.js";
import { rawTrpc } from "./support/stack.js";

/**
 * Finding 10 of issue 8: order id `..` made the HTTP order source request `GET /` on the shop
 * host, with the shop's bearer token. The shop stub below answers every path with a valid
 * order (as a catch-all route of a real backend might), and records what it was asked.
 */
let shop: FastifyInstance;
let shopUrl: string;
const seen: { method: string; url: string; authorized: boolean }[] = [];
let sandbox: RunningSandbox;
let service: RunningService;
let token: string;

beforeAll(async () => {
  shop = Fastify();
  shop.all("/*", async (request) => {
    seen.push({
      method: request.method,
      url: request.url,
      authorized: request.headers.authorization === `Bearer ${SHOP_TOKEN}`,
    });
    return {
      orderId: "..",
      customerId: null,
      orderName: "Anything",
      totalAmount: 1,
      currency: "KRW",
    };
  });
  shopUrl = await shop.listen({ port: 0, host: "127.0.0.1" });
  sandbox = await startSandbox();
  service = await startService(
    configFromEnv({
      ...serviceEnv(sandbox, undefined),
      ORDER_SOURCE_URL: `${shopUrl}/api/orders`,
    }),
  );
  token = await signToken("path-alice");
});

afterAll(async () => {
  await service?.service.close();
  await sandbox?.sandbox.close();
  await shop?.close();
});

describe("order ids stay one path segment", () => {
  it("payment.prepare with `.` or `..` is a 400 and the shop sees no request at all", async () => {
    seen.length = 0;
    for (const orderId of ["..", ".", " .. "]) {
      const answer = await rawTrpc(service.url, "payment.prepare", { orderId }, { token });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("orderId must not be `.` or `..`");
    }
    expect(seen).toEqual([]);
  });

  it("ids that look like paths reach the shop percent-encoded under the orders route, never `GET /`", async () => {
    seen.length = 0;
    for (const orderId of ["../admin", "%2e%2e", "a/../..", "..%2f", "?x=1", "#frag"]) {
      await rawTrpc(service.url, "payment.prepare", { orderId }, { token });
    }
    expect(seen.length).toBe(6);
    for (const request of seen) {
      expect(request.method).toBe("GET");
      expect(request.url.startsWith("/api/orders/")).toBe(true);
      expect(request.url.slice("/api/orders/".length)).not.toMatch(/[/?#]/);
    }
    expect(seen.map((request) => request.url)).toContain("/api/orders/%252e%252e");
  });

  it("the order source itself refuses dot segments and lone surrogates (library users, templates)", async () => {
    seen.length = 0;
    for (const url of [`${shopUrl}/api/orders`, `${shopUrl}/api/orders/{orderId}/detail`]) {
      const source = createHttpOrderSource({ url, token: SHOP_TOKEN, timeoutMs: 1_000 });
      for (const orderId of [".", "..", "bad-\ud800"])
        await expect(source.getOrder(orderId)).rejects.toBeInstanceOf(InvalidIdError);
    }
    expect(seen).toEqual([]);
    const templated = createHttpOrderSource({
      url: `${shopUrl}/api/orders/{orderId}/detail`,
      token: SHOP_TOKEN,
      timeoutMs: 1_000,
    });
    await templated.getOrder("...");
    expect(seen).toEqual([{ method: "GET", url: "/api/orders/.../detail", authorized: true }]);
  });
});
