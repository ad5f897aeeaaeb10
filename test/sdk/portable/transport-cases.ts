/**
 * The SDK's wire format, retries, timeouts, cancellation, typed errors and pagination, as
 * runtime-neutral cases (see harness.ts). Each case uses its own paths on the control server.
 */
import {
  NetworkError,
  Payment,
  PaymentClient,
  PortOneClient,
  PortOneError,
  paginate,
  RequestTimeoutError,
  RestError,
  SDK_VERSION,
  UnexpectedResponseError,
} from "../../../src/sdk/index.js";
import {
  assert,
  assertEqual,
  assertInstance,
  type Case,
  type Context,
  rejection,
  reply,
} from "./harness.js";

const paid = { status: "PAID", id: "order-1", amount: { total: 1000 } };

function payments(context: Context, options: { timeoutMs?: number; maxRetries?: number } = {}) {
  return PaymentClient({ secret: "portable-secret", baseUrl: context.baseUrl, ...options });
}

/**
 * Resolves once the server has seen `count` requests for `path` (polling, no fixed sleep);
 * gives up after 15 s so that the poll does not outlive its case.
 */
async function untilSeen(context: Context, path: string, count: number): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  while (Date.now() < giveUpAt) {
    if ((await context.requests(path)).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the server never saw ${count} request(s) for ${path}`);
}

const wire: Case[] = [
  {
    name: "wire: GET carries the secret and the SDK's name, and encodes the path parameter",
    async run(context) {
      const path = "/payments/order%2F1%20%C3%BC";
      await context.script(path, [reply(200, paid)]);
      const payment = await payments(context).getPayment({ paymentId: "order/1 ü" });
      assertEqual(payment.status, "PAID", "status");
      const [seen] = await context.requests(path);
      assertEqual(seen?.method, "GET", "method");
      assertEqual(seen?.headers.authorization, "PortOne portable-secret", "Authorization");
      assertEqual(seen?.headers["user-agent"], `portone-bff/${SDK_VERSION}`, "User-Agent");
      assertEqual(seen?.headers["content-type"], undefined, "Content-Type of a GET");
    },
  },
  {
    name: "wire: POST sends a JSON body and keeps one Idempotency-Key across retries",
    async run(context) {
      const path = "/payments/wire-post/cancel";
      await context.script(path, [reply(503, { type: "UNAVAILABLE" }), reply(200, {})]);
      await payments(context).cancelPayment({ paymentId: "wire-post", reason: "portable" });
      const seen = await context.requests(path);
      assertEqual(seen.length, 2, "attempts");
      assertEqual(seen[0]?.headers["content-type"], "application/json", "Content-Type");
      assertEqual(JSON.parse(seen[1]?.body ?? ""), { reason: "portable" }, "body");
      const key = seen[0]?.headers["idempotency-key"];
      assert(typeof key === "string" && /^"[A-Za-z0-9_-]{16,256}"$/.test(key), `key ${key}`);
      assertEqual(seen[1]?.headers["idempotency-key"], key, "key of the retry");
    },
  },
];

const retries: Case[] = [
  {
    name: "retries: a 5xx is retried until the call succeeds",
    async run(context) {
      const path = "/payments/retry-5xx";
      await context.script(path, [
        { status: 503, body: "busy" },
        reply(500, { type: "INTERNAL" }),
        reply(200, paid),
      ]);
      const payment = await payments(context).getPayment({ paymentId: "retry-5xx" });
      assertEqual(payment.status, "PAID", "status");
      assertEqual((await context.requests(path)).length, 3, "attempts");
    },
  },
  {
    name: "retries: a 429 is retried after its Retry-After",
    async run(context) {
      const path = "/payments/retry-429";
      await context.script(path, [
        reply(429, { type: "TOO_MANY_REQUESTS" }, { "retry-after": "0" }),
        reply(200, paid),
      ]);
      await payments(context).getPayment({ paymentId: "retry-429" });
      assertEqual((await context.requests(path)).length, 2, "attempts");
    },
  },
  {
    name: "retries: after maxRetries the last error is thrown",
    async run(context) {
      const path = "/payments/retry-down";
      await context.script(path, [reply(503, { type: "UNAVAILABLE" })]);
      const error = await rejection(
        payments(context, { maxRetries: 1 }).getPayment({ paymentId: "retry-down" }),
      );
      assertInstance(error, Payment.GetPaymentError);
      assertEqual((error as RestError).status, 503, "status");
      assertEqual((await context.requests(path)).length, 2, "attempts");
    },
  },
];

const typedErrors: Case[] = [
  {
    name: "typed errors: a business 4xx is not retried and is the operation's error class",
    async run(context) {
      const path = "/payments/typed-4xx/cancel";
      await context.script(path, [
        reply(400, { type: "PAYMENT_NOT_PAID", message: "결제 완료 상태가 아닙니다" }),
      ]);
      const error = await rejection(
        payments(context).cancelPayment({ paymentId: "typed-4xx", reason: "x" }),
      );
      for (const type of [Payment.CancelPaymentError, Payment.PaymentError, RestError]) {
        assertInstance(error, type);
      }
      assertInstance(error, PortOneError);
      const rest = error as RestError;
      assertEqual(
        [rest.name, rest.message, rest.status, rest.operation, rest.data.type],
        [
          "CancelPaymentError",
          "결제 완료 상태가 아닙니다",
          400,
          "cancelPayment",
          "PAYMENT_NOT_PAID",
        ],
        "error fields",
      );
      assertEqual((await context.requests(path)).length, 1, "attempts");
    },
  },
  {
    name: "typed errors: a 200 that is not JSON is UnexpectedResponseError",
    async run(context) {
      await context.script("/payments/garbled", [{ status: 200, body: "OK" }]);
      const error = await rejection(payments(context).getPayment({ paymentId: "garbled" }));
      assertInstance(error, UnexpectedResponseError);
      assertEqual((error as UnexpectedResponseError).status, 200, "status");
    },
  },
  {
    name: "typed errors: an HTML 502 is UnexpectedResponseError with its content type",
    async run(context) {
      await context.script("/payments/gateway", [
        { status: 502, headers: { "content-type": "text/html" }, body: "<html>Bad Gateway</html>" },
      ]);
      const client = payments(context, { maxRetries: 0 });
      const error = await rejection(client.getPayment({ paymentId: "gateway" }));
      assertInstance(error, UnexpectedResponseError);
      const unexpected = error as UnexpectedResponseError;
      assertEqual([unexpected.status, unexpected.contentType], [502, "text/html"], "fields");
    },
  },
  {
    name: "typed errors: a reset connection is NetworkError after retrying",
    async run(context) {
      const path = "/payments/reset";
      await context.script(path, ["reset"]);
      const attempts: number[] = [];
      const client = PaymentClient({
        secret: "portable-secret",
        baseUrl: context.baseUrl,
        maxRetries: 1,
        onRequest: (event) => attempts.push(event.attempt),
      });
      const error = await rejection(client.getPayment({ paymentId: "reset" }));
      assertInstance(error, NetworkError);
      assertEqual((error as NetworkError).operation, "getPayment", "operation");
      assertEqual(attempts, [1, 2], "the SDK's attempts");
      // Bun, Deno and workerd resend a GET once themselves when a pooled connection drops before
      // any answer; Node does not. The server sees the SDK's attempts, possibly doubled.
      const seen = (await context.requests(path)).length;
      assert(seen >= 2 && seen <= 4, `requests on the wire: ${seen}`);
    },
  },
];

const timeouts: Case[] = [
  {
    name: "timeouts: a hanging request times out, is retried, and is RequestTimeoutError",
    async run(context) {
      const path = "/payments/hang";
      await context.script(path, ["hang"]);
      const client = payments(context, { timeoutMs: 150, maxRetries: 1 });
      const error = await rejection(client.getPayment({ paymentId: "hang" }));
      assertInstance(error, RequestTimeoutError);
      assertEqual((error as RequestTimeoutError).timeoutMs, 150, "timeoutMs");
      assertEqual((await context.requests(path)).length, 2, "attempts");
    },
  },
  {
    name: "timeouts: a body that stops halfway times out, keeping the status",
    async run(context) {
      await context.script("/payments/stall", ["stall-body"]);
      const client = payments(context, { timeoutMs: 150, maxRetries: 0 });
      const error = await rejection(client.getPayment({ paymentId: "stall" }));
      assertInstance(error, RequestTimeoutError);
      assertEqual((error as RequestTimeoutError).status, 200, "status");
    },
  },
];

const abort: Case[] = [
  {
    name: "abort: aborting a call in flight rejects with the signal's reason",
    async run(context) {
      const path = "/payments/abort-in-flight";
      await context.script(path, ["hang"]);
      const controller = new AbortController();
      const call = payments(context).getPayment(
        { paymentId: "abort-in-flight" },
        { signal: controller.signal },
      );
      await untilSeen(context, path, 1);
      const reason = new Error("shopper left");
      controller.abort(reason);
      assert((await rejection(call)) === reason, "rejects with the abort reason");
      assertEqual((await context.requests(path)).length, 1, "attempts");
    },
  },
  {
    name: "abort: an already aborted signal sends nothing",
    async run(context) {
      const reason = new Error("too late");
      const call = payments(context).getPayment(
        { paymentId: "abort-before" },
        { signal: AbortSignal.abort(reason) },
      );
      assert((await rejection(call)) === reason, "rejects with the abort reason");
      assertEqual((await context.requests("/payments/abort-before")).length, 0, "attempts");
    },
  },
  {
    name: "abort: aborting during the pause between retries stops the retries",
    async run(context) {
      const path = "/payments/abort-retry";
      await context.script(path, [reply(503, { type: "UNAVAILABLE" }, { "retry-after": "30" })]);
      const controller = new AbortController();
      const call = payments(context, { maxRetries: 5 }).getPayment(
        { paymentId: "abort-retry" },
        { signal: controller.signal },
      );
      await untilSeen(context, path, 1);
      controller.abort(new Error("stop"));
      assertEqual(String(await rejection(call)), "Error: stop", "rejection");
      assertEqual((await context.requests(path)).length, 1, "attempts");
    },
  },
];

function page(ids: string[], number: number, size: number, totalCount: number) {
  const items = ids.map((id) => ({ status: "PAID", id }));
  return reply(200, { items, page: { number, size, totalCount } });
}

const pagination: Case[] = [
  {
    name: "pagination: paginate walks a page-based list to its end, keeping the filter",
    async run(context) {
      await context.script("/payments", [
        page(["p0", "p1"], 0, 2, 5),
        page(["p2", "p3"], 1, 2, 5),
        page(["p4"], 2, 2, 5),
      ]);
      const client = PortOneClient({ secret: "s", baseUrl: context.baseUrl });
      const seen: string[] = [];
      const list = paginate(client.payment.getPayments, {
        page: { number: 0, size: 2 },
        filter: { storeId: "store-1" },
      });
      for await (const payment of list) seen.push(payment.status === "PAID" ? payment.id : "?");
      assertEqual(seen, ["p0", "p1", "p2", "p3", "p4"], "items");
      const bodies = (await context.requests("/payments")).map((request) =>
        JSON.parse(new URL(request.url, "http://x").searchParams.get("requestBody") ?? "{}"),
      );
      assertEqual(
        bodies.map((body) => [body.page?.number, body.filter?.storeId]),
        [
          [0, "store-1"],
          [1, "store-1"],
          [2, "store-1"],
        ],
        "requests",
      );
    },
  },
];

export const transportCases: Case[] = [
  ...wire,
  ...retries,
  ...typedErrors,
  ...timeouts,
  ...abort,
  ...pagination,
];
