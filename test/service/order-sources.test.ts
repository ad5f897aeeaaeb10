import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderSourceUnavailableError } from "../../src/payments/errors.js";
import {
  createDemoCatalogOrderSource,
  createHttpOrderSource,
  createInProcessOrderSource,
  InvalidOrderError,
} from "../../src/payments/order-sources/index.js";

const TOKEN = "order-source-token-0123";
let shop: FastifyInstance;
let baseUrl: string;
const seen: { url: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  shop = Fastify();
  shop.get<{ Params: { orderId: string } }>("/api/orders/:orderId", async (request, reply) => {
    seen.push({ url: request.url, authorization: request.headers.authorization });
    const { orderId } = request.params;
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return reply.code(401).send({});
    switch (orderId) {
      case "good":
      case "a/b c":
        return {
          orderId,
          customerId: "c-1",
          orderName: "Beans",
          totalAmount: 4500,
          currency: "KRW",
        };
      case "negative":
        return { orderId, customerId: null, orderName: "x", totalAmount: -1, currency: "won" };
      case "html":
        return reply.type("text/html").send("<html>oops</html>");
      case "broken":
        return reply.code(500).send({ error: "db down" });
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return { orderId, customerId: null, orderName: "x", totalAmount: 1, currency: "KRW" };
      default:
        return reply.code(404).send({});
    }
  });
  baseUrl = `${await shop.listen({ port: 0, host: "127.0.0.1" })}/api/orders`;
});

afterAll(async () => {
  await shop?.close();
});

describe("HTTP order source", () => {
  const source = () => createHttpOrderSource({ url: baseUrl, token: TOKEN, timeoutMs: 500 });

  it("fetches and validates an order, sending the bearer token and encoding the id", async () => {
    expect(await source().getOrder("good")).toEqual({
      orderId: "good",
      customerId: "c-1",
      orderName: "Beans",
      totalAmount: 4500,
      currency: "KRW",
    });
    expect((await source().getOrder("a/b c"))?.orderId).toBe("a/b c");
    expect(seen.at(-1)).toEqual({
      url: "/api/orders/a%2Fb%20c",
      authorization: `Bearer ${TOKEN}`,
    });
  });

  it("supports an {orderId} placeholder in the URL", async () => {
    const templated = createHttpOrderSource({
      url: `${baseUrl}/{orderId}`,
      token: TOKEN,
      timeoutMs: 500,
    });
    expect((await templated.getOrder("good"))?.orderName).toBe("Beans");
  });

  it("an unknown order is null", async () => {
    expect(await source().getOrder("unknown")).toBeNull();
  });

  it("an invalid order names the fields at fault", async () => {
    const error = await source()
      .getOrder("negative")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOrderError);
    expect((error as InvalidOrderError).problems).toMatch(/totalAmount/);
    expect((error as InvalidOrderError).problems).toMatch(/currency/);
  });

  it("classifies failures: rejected token, 5xx, non-JSON, timeout, unreachable", async () => {
    const kindOf = async (promise: Promise<unknown>) => {
      const error = await promise.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OrderSourceUnavailableError);
      return (error as OrderSourceUnavailableError).failure;
    };
    const wrongToken = createHttpOrderSource({ url: baseUrl, token: "wrong", timeoutMs: 500 });
    expect(await kindOf(wrongToken.getOrder("good"))).toBe("rejected");
    expect(await kindOf(source().getOrder("broken"))).toBe("bad-response");
    expect(await kindOf(source().getOrder("html"))).toBe("bad-response");
    expect(await kindOf(source().getOrder("slow"))).toBe("timeout");
    const nowhere = createHttpOrderSource({ url: "http://127.0.0.1:9/orders", timeoutMs: 500 });
    expect(await kindOf(nowhere.getOrder("good"))).toBe("unreachable");
  });
});

describe("in-process and demo order sources", () => {
  it("validates what a library user's function returns", async () => {
    const source = createInProcessOrderSource((orderId) =>
      orderId === "ok"
        ? { orderId, customerId: null, orderName: "Tea", totalAmount: 3000, currency: "KRW" }
        : orderId === "bad"
          ? { orderId, customerId: null, orderName: "", totalAmount: 1.5, currency: "KRW" }
          : null,
    );
    expect((await source.getOrder("ok"))?.totalAmount).toBe(3000);
    expect(await source.getOrder("missing")).toBeNull();
    await expect(source.getOrder("bad")).rejects.toBeInstanceOf(InvalidOrderError);
  });

  it("the demo catalog prices <product>-<anything> as a guest order", async () => {
    const demo = createDemoCatalogOrderSource();
    expect(await demo.getOrder("coffee-42")).toMatchObject({
      orderId: "coffee-42",
      customerId: null,
      totalAmount: 4500,
      currency: "KRW",
    });
    expect((await demo.getOrder("sneakers"))?.totalAmount).toBe(89_000);
    expect(await demo.getOrder("caviar-1")).toBeNull();
  });
});
