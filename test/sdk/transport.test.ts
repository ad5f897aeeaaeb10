/**
 * Retries, timeouts, cancellation, idempotency keys, hooks and error mapping, against a real
 * local HTTP server that fails on purpose.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  NetworkError,
  Payment,
  PaymentClient,
  PortOneClient,
  PortOneError,
  type RequestEvent,
  RequestTimeoutError,
  type ResponseEvent,
  RestError,
  SDK_VERSION,
  UnexpectedResponseError,
} from "../../src/sdk/index.js";
import { json, type ScriptedServer, startScriptedServer } from "./scripted-server.js";

const tsxBinary = new URL("../../node_modules/.bin/tsx", import.meta.url).pathname;

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const paid = { status: "PAID", id: "order-1", amount: { total: 1000 } };

function client(
  options: Parameters<typeof PaymentClient>[0] extends infer I ? Partial<I> : never = {},
) {
  return PaymentClient({ secret: "test-secret", baseUrl: server.baseUrl, ...options });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("request shape", () => {
  it("authenticates, names the SDK and sets Content-Type only when there is a body", async () => {
    server.script("/payments/order-1", [json(200, paid)]);
    server.script("/payments/order-1/pre-register", [json(200, {})]);
    const payments = client();
    await payments.getPayment({ paymentId: "order-1" });
    await payments.preRegisterPayment({ paymentId: "order-1", totalAmount: 1000, currency: "KRW" });
    const [get, post] = server.requests;
    expect(get?.headers.authorization).toBe("PortOne test-secret");
    expect(get?.headers["user-agent"]).toBe(`portone-bff/${SDK_VERSION}`);
    expect(get?.headers["content-type"]).toBeUndefined();
    expect(get?.headers["idempotency-key"]).toBeUndefined();
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(post?.body ?? "")).toEqual({ totalAmount: 1000, currency: "KRW" });
  });

  it("sends a quoted automatic Idempotency-Key on mutating calls and honours a given one", async () => {
    server.script("/payments/order-1/cancel", [json(200, { cancellation: {} })]);
    const payments = client();
    await payments.cancelPayment({ paymentId: "order-1", reason: "test" });
    await payments.cancelPayment(
      { paymentId: "order-1", reason: "test" },
      { idempotencyKey: 'cancel-order-1-"x"' },
    );
    const [automatic, given] = server.requests.map((r) => String(r.headers["idempotency-key"]));
    expect(automatic).toMatch(/^"[A-Za-z0-9_-]{16,256}"$/);
    expect(given).toBe('"cancel-order-1-\\"x\\""');
  });

  it("rejects an idempotency key PortOne would refuse, saying what is allowed", async () => {
    const error = await failure(
      client().cancelPayment({ paymentId: "order-1", reason: "x" }, { idempotencyKey: "short" }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/16 to 256 printable ASCII/);
    expect(server.requests).toHaveLength(0);
  });

  it("merges client and call headers, the call winning", async () => {
    server.script("/payments/order-1", [json(200, paid)]);
    const payments = client({ headers: { "x-shop": "a", "x-trace": "client" } });
    await payments.getPayment({ paymentId: "order-1" }, { headers: { "x-trace": "call" } });
    expect(server.requests[0]?.headers["x-shop"]).toBe("a");
    expect(server.requests[0]?.headers["x-trace"]).toBe("call");
  });

  it("treats header names case-insensitively, as Headers does", async () => {
    server.script("/payments/order-1", [json(200, paid)]);
    const payments = client({ headers: { "User-Agent": "shop/1", "X-Trace": "client" } });
    await payments.getPayment({ paymentId: "order-1" }, { headers: { "x-trace": "call" } });
    expect(server.requests[0]?.headers["user-agent"]).toBe("shop/1");
    expect(server.requests[0]?.headers["x-trace"]).toBe("call");
  });

  it("refuses a secret with a line break at once, without sending or retrying", async () => {
    const error = await failure(
      client({ secret: "test-secret\r\nx-injected: 1" }).getPayment({ paymentId: "order-1" }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it("refuses a header with a line break at once, without sending or retrying", async () => {
    const payments = client({ headers: { "x-shop": "a\r\nx-injected: 1" } });
    const error = await failure(payments.getPayment({ paymentId: "order-1" }));
    expect(error).toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
    const badName = await failure(
      client().getPayment({ paymentId: "order-1" }, { headers: { "bad name": "x" } }),
    );
    expect(badName).toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it("uses an injected fetch", async () => {
    const seen: string[] = [];
    const payments = client({
      fetch: (url, init) => {
        seen.push(`${init.method} ${url}`);
        return fetch(url, init);
      },
    });
    server.script("/payments/order-1", [json(200, paid)]);
    await payments.getPayment({ paymentId: "order-1" });
    expect(seen).toEqual([`GET ${server.baseUrl}/payments/order-1`]);
  });
});

describe("retries", () => {
  it("retries a 5xx and then succeeds", async () => {
    server.script("/payments/flaky", [
      { status: 503, body: "busy" },
      json(500, { type: "INTERNAL" }),
      json(200, paid),
    ]);
    const payment = await client().getPayment({ paymentId: "flaky" });
    expect(payment.status).toBe("PAID");
    expect(server.requests).toHaveLength(3);
  });

  it("retries a 429 after the pause its Retry-After asks for", async () => {
    server.script("/payments/limited", [
      json(429, { type: "TOO_MANY_REQUESTS" }, { "retry-after": "1" }),
      json(200, paid),
    ]);
    await client().getPayment({ paymentId: "limited" });
    expect(server.requests).toHaveLength(2);
  });

  it("gives the 429 back at once when Retry-After asks for more than a minute", async () => {
    server.script("/payments/limited-long", [
      json(429, { type: "TOO_MANY_REQUESTS" }, { "retry-after": "3600" }),
      json(200, paid),
    ]);
    const error = await failure(client().getPayment({ paymentId: "limited-long" }));
    expect(server.requests).toHaveLength(1);
    expect((error as RestError).status).toBe(429);
    expect((error as RestError).headers.get("retry-after")).toBe("3600");
  });

  it("retries 409 IDEMPOTENCY_OUTSTANDING_REQUEST with the same idempotency key", async () => {
    server.script("/payments/order-2/confirm", [
      json(409, { type: "IDEMPOTENCY_OUTSTANDING_REQUEST" }),
      { status: 502, headers: { "content-type": "text/html" }, body: "<html>bad gateway</html>" },
      json(200, { payment: paid }),
    ]);
    await client().confirmPayment({ paymentId: "order-2", paymentToken: "tok" });
    expect(server.requests).toHaveLength(3);
    const keys = new Set(server.requests.map((r) => r.headers["idempotency-key"]));
    expect(keys.size).toBe(1);
    const bodies = new Set(server.requests.map((r) => r.body));
    expect(bodies.size).toBe(1);
  });

  it("falls back to the error type for the message when PortOne sends none", async () => {
    server.script("/payments/no-message", [json(404, { type: "PAYMENT_NOT_FOUND" })]);
    const error = await failure(client().getPayment({ paymentId: "no-message" }));
    expect((error as Error).message).toBe("PAYMENT_NOT_FOUND");
  });

  it("never retries a 4xx business error", async () => {
    server.script("/payments/order-3/cancel", [
      json(400, { type: "PAYMENT_NOT_PAID", message: "결제 완료 상태가 아닙니다" }),
    ]);
    const error = await failure(client().cancelPayment({ paymentId: "order-3", reason: "x" }));
    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(Payment.CancelPaymentError);
    expect(error).toBeInstanceOf(Payment.PaymentError);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toBeInstanceOf(PortOneError);
    const rest = error as InstanceType<typeof Payment.CancelPaymentError>;
    expect(rest.name).toBe("CancelPaymentError");
    expect(rest.message).toBe("결제 완료 상태가 아닙니다");
    expect(rest.status).toBe(400);
    expect(rest.operation).toBe("cancelPayment");
    expect(rest.data.type).toBe("PAYMENT_NOT_PAID");
    expect(rest.headers.get("content-type")).toBe("application/json");
  });

  it("does not retry a PG's answer delivered as 502 PG_PROVIDER", async () => {
    server.script("/payments/order-4/billing-key", [
      json(502, { type: "PG_PROVIDER", message: "card declined", pgCode: "X", pgMessage: "no" }),
    ]);
    const error = await failure(
      client().payWithBillingKey({
        paymentId: "order-4",
        billingKey: "bk",
        orderName: "o",
        customer: {},
        amount: { total: 1 },
        currency: "KRW",
      }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(Payment.PayWithBillingKeyError);
    expect((error as RestError).status).toBe(502);
  });

  it("gives up after maxRetries with the last error", async () => {
    server.script("/payments/down", [json(503, { type: "UNAVAILABLE" })]);
    const error = await failure(client({ maxRetries: 1 }).getPayment({ paymentId: "down" }));
    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(Payment.GetPaymentError);
    expect((error as RestError).status).toBe(503);
  });

  it("per-call maxRetries overrides the client's", async () => {
    server.script("/payments/down", [json(503, { type: "UNAVAILABLE" })]);
    await failure(client({ maxRetries: 5 }).getPayment({ paymentId: "down" }, { maxRetries: 0 }));
    expect(server.requests).toHaveLength(1);
  });
});

describe("transport errors", () => {
  it("times out a hanging request, retries it, and reports RequestTimeoutError", async () => {
    server.script("/payments/hang", ["hang"]);
    const error = await failure(
      client({ timeoutMs: 150, maxRetries: 1 }).getPayment({ paymentId: "hang" }),
    );
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toBeInstanceOf(PortOneError);
    expect((error as RequestTimeoutError).operation).toBe("getPayment");
    expect((error as RequestTimeoutError).timeoutMs).toBe(150);
    expect(server.requests).toHaveLength(2);
  });

  it("times out a body that stops halfway, keeping the status that arrived", async () => {
    server.script("/payments/stall", ["stall-body"]);
    const error = await failure(
      client({ timeoutMs: 150, maxRetries: 0 }).getPayment({ paymentId: "stall" }),
    );
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).status).toBe(200);
  });

  it("reports an HTML 502 as UnexpectedResponseError with a short snippet and no secret", async () => {
    const html = `<html>${"x".repeat(5000)}</html>`;
    server.script("/payments/gateway", [
      { status: 502, headers: { "content-type": "text/html" }, body: html },
    ]);
    const error = await failure(client({ maxRetries: 1 }).getPayment({ paymentId: "gateway" }));
    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    const unexpected = error as UnexpectedResponseError;
    expect(unexpected.status).toBe(502);
    expect(unexpected.operation).toBe("getPayment");
    expect(unexpected.contentType).toBe("text/html");
    expect(unexpected.bodySnippet.length).toBeLessThanOrEqual(200);
    expect(JSON.stringify({ ...unexpected, message: unexpected.message })).not.toContain(
      "test-secret",
    );
  });

  it("reports a 200 that is not JSON as UnexpectedResponseError", async () => {
    server.script("/payments/garbled", [{ status: 200, body: "OK" }]);
    const error = await failure(client().getPayment({ paymentId: "garbled" }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as UnexpectedResponseError).status).toBe(200);
  });

  it("reports a reset connection as NetworkError after retrying", async () => {
    server.script("/payments/reset", ["reset"]);
    const error = await failure(client({ maxRetries: 2 }).getPayment({ paymentId: "reset" }));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).operation).toBe("getPayment");
    expect(server.requests).toHaveLength(3);
  });

  it("recovers when a reset is followed by a good answer", async () => {
    server.script("/payments/blip", ["reset", json(200, paid)]);
    const payment = await client().getPayment({ paymentId: "blip" });
    expect(payment.status).toBe("PAID");
  });

  it("stops at once when the caller aborts, with the signal's reason", async () => {
    server.script("/payments/hang", ["hang"]);
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => controller.abort(reason), 100);
    const error = await failure(
      client({ timeoutMs: 20_000 }).getPayment(
        { paymentId: "hang" },
        { signal: controller.signal },
      ),
    );
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    server.script("/payments/slow-retry", [
      json(503, { type: "UNAVAILABLE" }, { "retry-after": "30" }),
      json(200, paid),
    ]);
    const controller = new AbortController();
    const reason = new Error("shutting down");
    setTimeout(() => controller.abort(reason), 200);
    const error = await failure(
      client().getPayment({ paymentId: "slow-retry" }, { signal: controller.signal }),
    );
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it("does not start when the signal is already aborted", async () => {
    const error = await failure(
      client().getPayment({ paymentId: "x" }, { signal: AbortSignal.abort(new Error("no")) }),
    );
    expect(String(error)).toContain("no");
    expect(server.requests).toHaveLength(0);
  });
});

describe("timeouts shared by attempts that start together", () => {
  it("times out each of many concurrent hanging calls, across several timer groups", async () => {
    server.script("/payments/hang-many", ["hang"]);
    const portone = client({ timeoutMs: 150, maxRetries: 0 });
    // More calls than one group takes, so that several groups' timers must fire.
    const errors = await Promise.all(
      Array.from({ length: 40 }, () => failure(portone.getPayment({ paymentId: "hang-many" }))),
    );
    for (const error of errors) expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(server.requests).toHaveLength(40);
  });

  it("still times out a call that joins a group whose earlier calls have finished", async () => {
    server.script("/payments/fine", [json(200, paid)]);
    server.script("/payments/hang-after", ["hang"]);
    const portone = client({ timeoutMs: 200, maxRetries: 0 });
    await portone.getPayment({ paymentId: "fine" });
    await portone.getPayment({ paymentId: "fine" });
    const error = await failure(portone.getPayment({ paymentId: "hang-after" }));
    expect(error).toBeInstanceOf(RequestTimeoutError);
  });

  it("does not cut off a call that started after an expiring one: it has its own timeout", async () => {
    server.script("/payments/hang-first", ["hang"]);
    server.script("/payments/slow-later", [{ ...json(200, paid), delayMs: 700 }]);
    const portone = client({ timeoutMs: 1_000, maxRetries: 0 });
    const first = failure(portone.getPayment({ paymentId: "hang-first" }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Answered 1.2 s after the first call started: after the first call's timeout, within its own.
    const later = portone.getPayment({ paymentId: "slow-later" });
    expect(await first).toBeInstanceOf(RequestTimeoutError);
    expect((await later).status).toBe("PAID");
  });

  it("a caller aborting one call leaves the others of its group running", async () => {
    server.script("/payments/abort-one", ["hang"]);
    server.script("/payments/slow-neighbour", [{ ...json(200, paid), delayMs: 300 }]);
    const portone = client({ timeoutMs: 5_000, maxRetries: 0 });
    const controller = new AbortController();
    const reason = new Error("only this one");
    const aborted = failure(
      portone.getPayment({ paymentId: "abort-one" }, { signal: controller.signal }),
    );
    const neighbour = portone.getPayment({ paymentId: "slow-neighbour" });
    setTimeout(() => controller.abort(reason), 50);
    expect(await aborted).toBe(reason);
    expect((await neighbour).status).toBe("PAID");
  });

  it("times out a call that has a caller's signal which never aborts", async () => {
    server.script("/payments/hang-signal", ["hang"]);
    const error = await failure(
      client({ timeoutMs: 150, maxRetries: 0 }).getPayment(
        { paymentId: "hang-signal" },
        { signal: new AbortController().signal },
      ),
    );
    expect(error).toBeInstanceOf(RequestTimeoutError);
  });

  it("leaves nothing that keeps a program running: a script exits after its calls", async () => {
    server.script("/payments/script-ok", [json(200, paid)]);
    server.script("/payments/script-hang", ["hang"]);
    // A short program with the default 60 s timeout, a caller's signal, and a call that times
    // out while the server keeps its request open: it must exit long before 60 s.
    const program = `
      import { PaymentClient } from ${JSON.stringify(new URL("../../src/sdk/index.ts", import.meta.url).pathname)};
      const client = PaymentClient({ secret: "test-secret", baseUrl: ${JSON.stringify(server.baseUrl)} });
      const timedOut = await client
        .getPayment({ paymentId: "script-hang" }, { timeoutMs: 100, maxRetries: 0 })
        .catch((error) => error.name);
      await client.getPayment({ paymentId: "script-ok" }, { signal: new AbortController().signal });
      // Last, so that its timer group is still open (and idle) when the program ends.
      await client.getPayment({ paymentId: "script-ok" });
      console.log(timedOut);
    `;
    const child = spawn(tsxBinary, ["--input-type=module", "-e", program], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    // Far below the 60 s a leaked default timer would hold the process for.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code, signal] = await once(child, "exit");
    clearTimeout(guard);
    expect(signal, "the script had to be killed: something kept it running").toBeNull();
    expect(code).toBe(0);
    expect(output.trim()).toBe("RequestTimeoutError");
  }, 40_000);
});

describe("hooks", () => {
  it("reports every attempt with operation, method, url, status, duration and attempt", async () => {
    server.script("/payments/flaky-hooks", [json(503, { type: "X" }), json(200, paid)]);
    const requests: RequestEvent[] = [];
    const responses: ResponseEvent[] = [];
    const portone = PortOneClient({
      secret: "test-secret",
      baseUrl: server.baseUrl,
      onRequest: (event) => requests.push(event),
      onResponse: (event) => {
        responses.push(event);
        throw new Error("a broken hook must not break the call");
      },
    });
    await portone.payment.getPayment({ paymentId: "flaky-hooks" });
    expect(requests.map((e) => e.attempt)).toEqual([1, 2]);
    expect(requests[0]).toMatchObject({
      operation: "getPayment",
      method: "GET",
      url: `${server.baseUrl}/payments/flaky-hooks`,
    });
    expect(responses.map((e) => e.status)).toEqual([503, 200]);
    expect(responses[0]?.error).toBeInstanceOf(Payment.GetPaymentError);
    expect(responses[1]?.error).toBeUndefined();
    for (const event of responses) expect(event.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify([requests, responses])).not.toContain("test-secret");
  });
});
