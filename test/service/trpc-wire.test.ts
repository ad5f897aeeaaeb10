import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/router/index.js";
import { useServiceStack } from "../support/service-stack.js";
import {
  configFromEnv,
  type RunningService,
  signToken,
  startService,
  trpcClient,
} from "./support/harness.js";

/**
 * The lean /trpc route against tRPC's stock Fastify adapter: two services on one database,
 * one sandbox and one shop, one with each transport, answer every request the same way:
 * status, headers and body bytes. The only intended difference is framing: the lean route
 * sends a JSON answer with content-length, the stock adapter streams it chunked.
 */

const ALLOWED_ORIGIN = "https://shop.example";
const RATE_LIMIT_MAX = 80;
const stack = useServiceStack({
  env: { CORS_ORIGINS: ALLOWED_ORIGIN, RATE_LIMIT_MAX: String(RATE_LIMIT_MAX), LOG_LEVEL: "warn" },
  database: "sqlite",
});
let stock: RunningService;
beforeAll(async () => {
  stock = await startService(configFromEnv(stack.env), {
    database: stack.database.db,
    trpcTransport: "stock",
  });
});
afterAll(async () => {
  await stock?.service.close();
});

const CUSTOMER = "wire-customer";
let token: string;
let paidId: string;
beforeAll(async () => {
  token = await signToken(CUSTOMER);
  const customer = trpcClient(stack.running.url, token);
  const { prepared } = await stack.payNewOrder(customer, CUSTOMER);
  await customer.payment.complete.mutate({ paymentId: prepared.paymentId });
  paidId = prepared.paymentId;
});

/** Headers that differ between any two answers (or by framing only). */
const PER_ANSWER = new Set([
  "date",
  "x-request-id",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
]);

interface Wire {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function exchange(base: string, path: string, init: RequestInit = {}): Promise<Wire> {
  const response = await fetch(`${base}${path}`, init);
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => !PER_ANSWER.has(name)),
  );
  return { status: response.status, headers, body: await response.text() };
}

/** Sends the same request to both services, lean first, and returns both answers. */
async function both(path: string, init: RequestInit = {}): Promise<{ lean: Wire; stock: Wire }> {
  const lean = await exchange(stack.running.url, path, init);
  const stockAnswer = await exchange(stock.url, path, init);
  // The one intended header difference: the lean route keeps CORS's `Vary: Origin` beside
  // tRPC's own, where the stock adapter overwrites it.
  const leanVary = lean.headers.vary?.split(", ") ?? [];
  const stockVary = stockAnswer.headers.vary?.split(", ") ?? [];
  expect(leanVary).toEqual(expect.arrayContaining(stockVary));
  expect(["", "Origin"]).toContain(leanVary.filter((name) => !stockVary.includes(name)).join());
  delete lean.headers.vary;
  delete stockAnswer.headers.vary;
  return { lean, stock: stockAnswer };
}

const query = (input: unknown) => `?input=${encodeURIComponent(JSON.stringify(input))}`;
const authed = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  ...extra,
});
const json = { "content-type": "application/json" };

describe("the lean /trpc route answers like tRPC's stock adapter", () => {
  /** What is sent, with the status both must answer. */
  const cases: [string, number, () => [string, RequestInit]][] = [
    [
      "a GET query",
      200,
      () => [`/trpc/payment.get${query({ paymentId: paidId })}`, { headers: authed() }],
    ],
    [
      "a query of a payment nobody prepared (404)",
      404,
      () => [
        `/trpc/payment.get${query({ paymentId: "nobody-prepared-this" })}`,
        { headers: authed() },
      ],
    ],
    [
      "invalid input (400 with fields)",
      400,
      () => [`/trpc/payment.get${query({})}`, { headers: authed() }],
    ],
    ["input that is not JSON", 400, () => ["/trpc/payment.get?input=%7B", { headers: authed() }]],
    ["no input at all", 400, () => ["/trpc/payment.get", { headers: authed() }]],
    [
      "a POST mutation",
      200,
      () => [
        "/trpc/payment.complete",
        { method: "POST", headers: authed(json), body: JSON.stringify({ paymentId: paidId }) },
      ],
    ],
    [
      "a mutation sent as GET (405 with allow)",
      405,
      () => [`/trpc/payment.complete${query({ paymentId: paidId })}`, { headers: authed() }],
    ],
    [
      "a query sent as POST (405)",
      405,
      () => [
        "/trpc/payment.get",
        { method: "POST", headers: authed(json), body: JSON.stringify({ paymentId: paidId }) },
      ],
    ],
    [
      "a GET batch mixing results and errors (207)",
      207,
      () => [
        `/trpc/payment.get,payment.get,payment.get?batch=1&input=${encodeURIComponent(
          JSON.stringify({ 0: { paymentId: paidId }, 1: { paymentId: "missing" }, 2: {} }),
        )}`,
        { headers: authed() },
      ],
    ],
    [
      "a POST batch of mutations",
      207,
      () => [
        "/trpc/payment.complete,payment.complete?batch=1",
        {
          method: "POST",
          headers: authed(json),
          body: JSON.stringify({ 0: { paymentId: paidId }, 1: { paymentId: "missing" } }),
        },
      ],
    ],
    [
      "a batch over the size limit (400 per call)",
      400,
      () => [
        `/trpc/${Array.from({ length: 11 }, () => "payment.get").join(",")}?batch=1&input=%7B%7D`,
        { headers: authed() },
      ],
    ],
    [
      "an unknown procedure (404)",
      404,
      () => [`/trpc/payment.nope${query({})}`, { headers: authed() }],
    ],
    ["no credentials", 401, () => [`/trpc/payment.get${query({ paymentId: paidId })}`, {}]],
    [
      "a forged token (401)",
      401,
      () => [
        `/trpc/payment.get${query({ paymentId: paidId })}`,
        { headers: { authorization: "Bearer not.a.jwt" } },
      ],
    ],
    [
      "a body that is not JSON",
      400,
      () => ["/trpc/payment.complete", { method: "POST", headers: authed(json), body: "{" }],
    ],
    [
      "a text/plain body",
      415,
      () => [
        "/trpc/payment.complete",
        {
          method: "POST",
          headers: authed({ "content-type": "text/plain" }),
          body: JSON.stringify({ paymentId: paidId }),
        },
      ],
    ],
    [
      "a POST without a body or content-type",
      415,
      () => ["/trpc/payment.complete", { method: "POST", headers: authed() }],
    ],
    [
      "a multipart body (the stock adapter's path in both)",
      400,
      () => {
        const form = new FormData();
        form.set("paymentId", paidId);
        return ["/trpc/payment.complete", { method: "POST", headers: authed(), body: form }];
      },
    ],
    [
      "a body over the limit (413)",
      413,
      () => [
        "/trpc/payment.complete",
        {
          method: "POST",
          headers: authed(json),
          body: JSON.stringify({ paymentId: "x".repeat(70_000) }),
        },
      ],
    ],
    ["HEAD", 204, () => ["/trpc/payment.get", { method: "HEAD", headers: authed() }]],
    [
      "a CORS preflight",
      204,
      () => [
        "/trpc/payment.get",
        {
          method: "OPTIONS",
          headers: {
            origin: ALLOWED_ORIGIN,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
          },
        },
      ],
    ],
    ["OPTIONS that is not a preflight", 400, () => ["/trpc/payment.get", { method: "OPTIONS" }]],
    [
      "a query from the allowed origin",
      200,
      () => [
        `/trpc/payment.get${query({ paymentId: paidId })}`,
        { headers: authed({ origin: ALLOWED_ORIGIN }) },
      ],
    ],
    [
      "a query from another origin",
      200,
      () => [
        `/trpc/payment.get${query({ paymentId: paidId })}`,
        { headers: authed({ origin: "https://elsewhere.example" }) },
      ],
    ],
    [
      "a streamed (jsonl) batch",
      200,
      () => [
        `/trpc/payment.get,payment.get?batch=1&input=${encodeURIComponent(
          JSON.stringify({ 0: { paymentId: paidId }, 1: { paymentId: "missing" } }),
        )}`,
        { headers: authed({ "trpc-accept": "application/jsonl" }) },
      ],
    ],
    [
      "a percent-encoded procedure path",
      200,
      () => [`/trpc/payment%2Eget${query({ paymentId: paidId })}`, { headers: authed() }],
    ],
    // The shapes the lean route's fast path takes, and its neighbours that it leaves to
    // resolveResponse (test/service/trpc-fast-path.test.ts says which is which).
    [
      "a GET query with a JSON content-type",
      200,
      () => [`/trpc/payment.get${query({ paymentId: paidId })}`, { headers: authed(json) }],
    ],
    [
      "a GET batch of results",
      200,
      () => [
        `/trpc/payment.get,payment.get?batch=1&input=${encodeURIComponent(
          JSON.stringify({ 0: { paymentId: paidId }, 1: { paymentId: paidId } }),
        )}`,
        { headers: authed() },
      ],
    ],
    [
      "a batch whose second path is empty (207)",
      207,
      () => [
        `/trpc/payment.get,?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { paymentId: paidId } }))}`,
        { headers: authed() },
      ],
    ],
    [
      "a batch whose input is not an object",
      400,
      () => ["/trpc/payment.get?batch=1&input=%5B1%5D", { headers: authed() }],
    ],
    [
      "an input decoded as URLSearchParams decodes it",
      404,
      () => [
        "/trpc/payment.get?input=%7B%22paymentId%22:%22nobody%2Dprepared%22%7D&other=1",
        { headers: authed() },
      ],
    ],
    [
      "a query with connection params",
      200,
      () => [
        `/trpc/payment.get${query({ paymentId: paidId })}&connectionParams=%7B%7D`,
        { headers: authed() },
      ],
    ],
    [
      "a streamed request that is not a batch",
      400,
      () => [
        `/trpc/payment.get${query({ paymentId: paidId })}`,
        { headers: authed({ accept: "application/jsonl" }) },
      ],
    ],
    [
      "a POST mutation of a payment nobody prepared (404)",
      404,
      () => [
        "/trpc/payment.complete",
        { method: "POST", headers: authed(json), body: JSON.stringify({ paymentId: "nope" }) },
      ],
    ],
    [
      "a POST mutation with content-type parameters and capitals",
      200,
      () => [
        "/trpc/payment.complete",
        {
          method: "POST",
          headers: authed({ "content-type": "Application/JSON; charset=utf-8" }),
          body: JSON.stringify({ paymentId: paidId }),
        },
      ],
    ],
    [
      "a POST mutation with an empty JSON body",
      400,
      () => ["/trpc/payment.complete", { method: "POST", headers: authed(json), body: "" }],
    ],
    [
      "a POST mutation without credentials",
      401,
      () => [
        "/trpc/payment.complete",
        { method: "POST", headers: json, body: JSON.stringify({ paymentId: paidId }) },
      ],
    ],
    [
      "a POST batch mixing a mutation and a query",
      400,
      () => [
        "/trpc/payment.complete,payment.get?batch=1",
        {
          method: "POST",
          headers: authed(json),
          body: JSON.stringify({ 0: { paymentId: paidId }, 1: { paymentId: paidId } }),
        },
      ],
    ],
  ];

  it.each(cases)("%s (%i)", async (_name, status, request) => {
    const [path, init] = request();
    const answers = await both(path, init);
    expect(answers.lean.status).toBe(status);
    // x-ratelimit-remaining counts each service's own budget, which these requests share.
    delete answers.lean.headers["x-ratelimit-remaining"];
    delete answers.stock.headers["x-ratelimit-remaining"];
    expect(answers.lean).toEqual(answers.stock);
  });

  it("an allowed origin's answer varies by Origin as well as by tRPC's own headers", async () => {
    const path = `/trpc/payment.get${query({ paymentId: paidId })}`;
    const lean = await fetch(`${stack.running.url}${path}`, {
      headers: authed({ origin: ALLOWED_ORIGIN }),
    });
    expect(lean.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(lean.headers.get("vary")?.split(", ")).toEqual(
      expect.arrayContaining(["Origin", "trpc-accept"]),
    );
  });

  it("a JSON answer is one body with content-length; the stock adapter's is chunked", async () => {
    const path = `/trpc/payment.get${query({ paymentId: paidId })}`;
    const lean = await fetch(`${stack.running.url}${path}`, { headers: authed() });
    const stockAnswer = await fetch(`${stock.url}${path}`, { headers: authed() });
    const body = await lean.text();
    expect(lean.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    expect(lean.headers.get("transfer-encoding")).toBeNull();
    expect(stockAnswer.headers.get("transfer-encoding")).toBe("chunked");
    expect(await stockAnswer.text()).toBe(body);
  });

  it("counts a batch by its first `batch` parameter, as tRPC reads it, when it is repeated", async () => {
    const paths = Array.from({ length: 11 }, () => "payment.get").join(",");
    const answers = await both(`/trpc/${paths}?batch=1&batch=0&input=%7B%7D`, {
      headers: authed(),
    });
    expect(answers.lean.status).toBe(400);
    const errors = JSON.parse(answers.lean.body) as { error: { message: string } }[];
    expect(errors).toHaveLength(11);
    expect(errors[0]?.error.message).toMatch(/^A batch may hold at most 10 calls/);
    delete answers.lean.headers["x-ratelimit-remaining"];
    delete answers.stock.headers["x-ratelimit-remaining"];
    expect(answers.lean).toEqual(answers.stock);
  });

  it("the rate limit answers alike, per call of a batch, with the same headers", async () => {
    // A customer of its own, so that this budget is untouched by the other tests.
    const spender = await signToken("wire-rate-limited");
    const batchPath = `/trpc/payment.get,payment.get,payment.get,payment.get?batch=1&input=${encodeURIComponent(
      JSON.stringify({ 0: { paymentId: "a" }, 1: { paymentId: "b" }, 2: {}, 3: {} }),
    )}`;
    const init = { headers: { authorization: `Bearer ${spender}` } };
    const sequence: { lean: Wire; stock: Wire }[] = [];
    for (let sent = 0; sent < RATE_LIMIT_MAX / 4 + 2; sent++)
      sequence.push(await both(batchPath, init));
    const limited = sequence.filter((answers) => answers.lean.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const answers of sequence) {
      // The window's remaining seconds may have ticked between the two services.
      const retryAfter = [answers.lean, answers.stock].map((wire) => wire.headers["retry-after"]);
      if (answers.lean.status === 429) expect(Number(retryAfter[0])).toBeGreaterThan(0);
      delete answers.lean.headers["retry-after"];
      delete answers.stock.headers["retry-after"];
      expect(answers.lean).toEqual(answers.stock);
    }
    expect(JSON.parse(limited[0]?.lean.body ?? "[]")).toHaveLength(4);
  });
});

type Link = typeof httpLink | typeof httpBatchLink;

function clientOf(url: string, link: Link, bearer: string | undefined) {
  return createTRPCClient<AppRouter>({
    links: [
      link({
        url: `${url}/trpc`,
        headers: () => (bearer ? { authorization: `Bearer ${bearer}` } : {}),
      }),
    ],
  });
}

/** What a caller sees of a call: its value, or the error's message, shape and data. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    return { value: await call };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    return { message: error.message, shape: error.shape, data: error.data };
  }
}

describe.each([
  ["httpLink", httpLink],
  ["httpBatchLink", httpBatchLink],
] as const)("@trpc/client with %s", (_name, link) => {
  /** The same calls, at once (batched by httpBatchLink), through a client of `url`. */
  const calls = (url: string, bearer: string | undefined) => {
    const client = clientOf(url, link, bearer);
    return Promise.all([
      outcome(client.payment.get.query({ paymentId: paidId })),
      outcome(client.payment.complete.mutate({ paymentId: paidId })),
      outcome(client.payment.get.query({ paymentId: "missing-one" })),
      outcome(client.payment.complete.mutate({ paymentId: "" })),
      outcome(client.payment.prepare.mutate({ orderId: "no such order anywhere" })),
    ]);
  };

  it("gets the same results and errors from both transports", async () => {
    const lean = await calls(stack.running.url, token);
    expect(lean[0]).toMatchObject({ value: { paymentId: paidId, status: "PAID" } });
    expect(lean[2]).toMatchObject({ data: { code: "NOT_FOUND", httpStatus: 404 } });
    expect(lean[3]).toMatchObject({ data: { code: "BAD_REQUEST", httpStatus: 400 } });
    expect(lean).toEqual(await calls(stock.url, token));
  });

  it("sees the same authentication errors from both transports", async () => {
    const lean = await calls(stack.running.url, undefined);
    expect(lean[0]).toMatchObject({ data: { code: "UNAUTHORIZED", httpStatus: 401 } });
    expect(lean).toEqual(await calls(stock.url, undefined));
  });
});
