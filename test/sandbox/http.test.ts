import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { operationRoutes } from "../../src/sandbox/generated/operations.js";
import { hasOpenApi, loadOpenApi, missingOpenApiReason } from "./support/openapi.js";
import {
  checkedResponses,
  known,
  newPaymentId,
  type RunningSandbox,
  schemaViolations,
  startSandbox,
} from "./support/sandbox-fixture.js";

if (!hasOpenApi) console.warn(missingOpenApiReason);

let running: RunningSandbox;
let unchecked: RunningSandbox;
beforeAll(async () => {
  running = await startSandbox();
  unchecked = await startSandbox({}, { checkSchema: false });
});
afterAll(async () => {
  await running.close();
  await unchecked.close();
});
afterEach(() => {
  expect(schemaViolations.splice(0)).toEqual([]);
});

async function paidPayment(on: RunningSandbox = running): Promise<string> {
  const paymentId = newPaymentId("http");
  const checkout = await on.checkout({ paymentId, totalAmount: 10_000 });
  expect(checkout.status).toBe(200);
  return paymentId;
}

describe("authentication", () => {
  it("answers 401 UNAUTHORIZED without credentials or with a wrong secret", async () => {
    const missing = await running.api("GET", "/payments/x", { auth: false });
    expect(missing.status).toBe(401);
    expect(missing.body.type).toBe("UNAUTHORIZED");
    const wrong = await running.api("GET", "/payments/x", {
      auth: false,
      headers: { authorization: "PortOne not-the-secret" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(running.sandbox.apiSecret);
    const pgSecret = await running.api("GET", "/payments/x", {
      auth: false,
      headers: { authorization: `Basic ${running.sandbox.apiSecret}` },
    });
    expect(pgSecret.status).toBe(401);
  });

  it("issues Bearer tokens; a refresh retires the previous refresh token", async () => {
    const login = await running.api("POST", "/login/api-secret", {
      auth: false,
      body: { apiSecret: running.sandbox.apiSecret },
    });
    expect(login.status).toBe(200);
    const bearer = { authorization: `Bearer ${login.body.accessToken}` };
    const paymentId = await paidPayment();
    expect(
      (await running.api("GET", `/payments/${paymentId}`, { auth: false, headers: bearer })).status,
    ).toBe(200);

    const refreshed = await running.api("POST", "/token/refresh", {
      auth: false,
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).not.toBe(login.body.accessToken);
    const reused = await running.api("POST", "/token/refresh", {
      auth: false,
      body: { refreshToken: login.body.refreshToken },
    });
    expect(reused.status).toBe(401);
    const badLogin = await running.api("POST", "/login/api-secret", {
      auth: false,
      body: { apiSecret: "nope" },
    });
    expect(badLogin.body.type).toBe("UNAUTHORIZED");
    const garbage = await running.api("GET", `/payments/${paymentId}`, {
      auth: false,
      headers: { authorization: "Bearer garbage" },
    });
    expect(garbage.status).toBe(401);
  });

  it("lets an access token expire on the sandbox clock", async () => {
    let now = Date.now();
    const timed = await startSandbox({ clock: { now: () => now } });
    try {
      const login = await timed.api("POST", "/login/api-secret", {
        auth: false,
        body: { apiSecret: timed.sandbox.apiSecret },
      });
      const bearer = { authorization: `Bearer ${login.body.accessToken}` };
      expect(
        (await timed.api("GET", "/payments/none", { auth: false, headers: bearer })).status,
      ).toBe(404);
      now += 31 * 60 * 1000;
      expect(
        (await timed.api("GET", "/payments/none", { auth: false, headers: bearer })).status,
      ).toBe(401);
    } finally {
      await timed.close();
    }
  });
});

describe("wire format", () => {
  it("reads the body of a GET from the requestBody query parameter", async () => {
    const paymentId = await paidPayment();
    const query = encodeURIComponent(
      JSON.stringify({ filter: { status: ["PAID"] }, page: { size: 1000 } }),
    );
    const list = await running.api("GET", `/payments?requestBody=${query}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(paymentId);
    const broken = await running.api("GET", "/payments?requestBody=%7Bnot-json");
    expect(broken.status).toBe(400);
    expect(broken.body.type).toBe("INVALID_REQUEST");
  });

  it("answers INVALID_REQUEST for a malformed body or a missing required field", async () => {
    const paymentId = await paidPayment();
    const notJson = await fetch(`${running.baseUrl}/payments/${paymentId}/cancel`, {
      method: "POST",
      headers: { authorization: `PortOne ${running.sandbox.apiSecret}` },
      body: "{oops",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ type: "INVALID_REQUEST" });
    const noReason = await running.api("POST", `/payments/${paymentId}/cancel`, { body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toContain("reason");
  });

  it("decodes percent-encoded path parameters", async () => {
    const paymentId = `order/${newPaymentId()}?#`;
    await running.checkout({ paymentId, totalAmount: 100 });
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.id).toBe(paymentId);
  });

  it("answers every operation it does not emulate with one of that operation's typed errors", async () => {
    const stateful = new Set([
      "loginViaApiSecret",
      "refreshToken",
      "getPayment",
      "getPayments",
      "getAllPaymentsByCursor",
      "getPaymentTransactions",
      "preRegisterPayment",
      "confirmPayment",
      "cancelPayment",
      "closeVirtualAccount",
      "resendWebhook",
      "issueBillingKey",
      "getBillingKeyInfo",
      "getBillingKeyInfos",
      "deleteBillingKey",
      "payWithBillingKey",
      "payInstantly",
      "createPaymentSchedule",
      "getPaymentSchedule",
      "getPaymentSchedules",
      "revokePaymentSchedules",
      "getIdentityVerification",
    ]);
    const others = operationRoutes.filter((route) => !stateful.has(route.operationId));
    expect(others.length).toBe(operationRoutes.length - stateful.size);
    for (const route of others) {
      const path = route.path.replace(/:([A-Za-z]+)/g, "sample-$1");
      const response = await running.api(
        route.method,
        path,
        route.method === "GET" || route.method === "DELETE" ? {} : { body: {} },
      );
      expect(response.status, route.operationId).toBeGreaterThanOrEqual(400);
      expect(route.errorTypes, route.operationId).toContain(response.body.type);
      expect(response.body.message).toContain(route.operationId);
    }
    if (hasOpenApi) {
      for (const route of others)
        expect(checkedResponses.get(route.operationId), route.operationId).toBeGreaterThan(0);
    }
  });

  it("answers a JSON 404 for paths that are not PortOne operations", async () => {
    const response = await unchecked.api("GET", "/no/such/thing");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.body.message).toContain("/no/such/thing");
  });
});

describe("Idempotency-Key", () => {
  it("replays the stored response of a completed request", async () => {
    const paymentId = await paidPayment();
    const headers = { "idempotency-key": `"cancel-${paymentId}-first"` };
    const first = await running.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body: { amount: 1_000, reason: "refund one item" },
    });
    const second = await running.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body: { amount: 1_000, reason: "refund one item" },
    });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.amount.cancelled).toBe(1_000);

    const reused = await running.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body: { amount: 2_000, reason: "another refund" },
    });
    expect(reused.status).toBe(400);
    expect(reused.body.message).toContain("different request");
  });

  it("replays stored errors too, and ignores the key on GET", async () => {
    const headers = { "idempotency-key": '"cancel-missing-payment-1"' };
    const first = await running.api("POST", "/payments/missing-payment/cancel", {
      headers,
      body: { reason: "x" },
    });
    const second = await running.api("POST", "/payments/missing-payment/cancel", {
      headers,
      body: { reason: "x" },
    });
    expect([first.status, second.status]).toEqual([404, 404]);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const get = await running.api("GET", "/payments/missing-payment", { headers });
    expect(get.headers.get("idempotent-replayed")).toBeNull();
  });

  it("answers 409 IDEMPOTENCY_OUTSTANDING_REQUEST while the first request is in flight", async () => {
    const paymentId = await paidPayment();
    running.sandbox.setFaults([{ kind: "latency", ms: 1_500, route: "cancelPayment", times: 1 }]);
    const headers = { "idempotency-key": `"cancel-${paymentId}-slow"` };
    const body = { reason: "slow cancel" };
    const slow = running.api("POST", `/payments/${paymentId}/cancel`, { headers, body });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const concurrent = await running.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body,
    });
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.type).toBe("IDEMPOTENCY_OUTSTANDING_REQUEST");
    expect((await slow).status).toBe(200);
    const retried = await running.api("POST", `/payments/${paymentId}/cancel`, { headers, body });
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
  });

  it("keeps processing after the client gives up; the retry learns the outcome", async () => {
    const paymentId = await paidPayment();
    running.sandbox.setFaults([{ kind: "latency", ms: 1_500, route: "cancelPayment", times: 1 }]);
    const headers = { "idempotency-key": `"cancel-${paymentId}-abandoned"` };
    const body = JSON.stringify({ reason: "client timed out" });
    const abandoned = fetch(`${running.baseUrl}/payments/${paymentId}/cancel`, {
      method: "POST",
      headers: { authorization: `PortOne ${running.sandbox.apiSecret}`, ...headers },
      body,
      signal: AbortSignal.timeout(200),
    });
    await expect(abandoned).rejects.toThrow();
    const early = await running.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body: { reason: "client timed out" },
    });
    expect(early.status).toBe(409);
    let retried = early;
    for (let attempt = 0; attempt < 50 && retried.status === 409; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      retried = await running.api("POST", `/payments/${paymentId}/cancel`, {
        headers,
        body: { reason: "client timed out" },
      });
    }
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment).toMatchObject({ status: "CANCELLED", amount: { cancelled: 10_000 } });
    expect(payment.status === "CANCELLED" && payment.cancellations).toHaveLength(1);
  });

  it("rejects keys that are not quoted RFC 8941 strings of 16-256 characters", async () => {
    for (const key of [
      "unquoted-key-1234567890",
      '"short"',
      `"${"x".repeat(257)}"`,
      '"bad\\escape-1234567890"',
    ]) {
      const response = await running.api("POST", "/payments/anything/cancel", {
        headers: { "idempotency-key": key },
        body: { reason: "x" },
      });
      expect(response.status, key).toBe(400);
      expect(response.body.message).toContain("Idempotency-Key");
    }
  });
});

describe("fault injection", () => {
  // Faults break the wire format on purpose: this sandbox's responses are not schema-checked.
  let running: RunningSandbox;
  beforeAll(async () => {
    running = unchecked;
  });
  afterEach(() => {
    running.sandbox.setFaults([]);
  });

  it("answers an HTML 502 like a gateway would", async () => {
    running.sandbox.setFaults([{ kind: "html-502", route: "getPayment", times: 1 }]);
    const failed = await running.api("GET", "/payments/any");
    expect(failed.status).toBe(502);
    expect(failed.headers.get("content-type")).toContain("text/html");
    expect(failed.text).toContain("502 Bad Gateway");
    expect((await running.api("GET", "/payments/any")).status).toBe(404);
  });

  it("answers a JSON error with the chosen status, only on the chosen route", async () => {
    running.sandbox.setFaults([{ kind: "error", status: 503, route: "GET /payments/:paymentId" }]);
    const failed = await running.api("GET", "/payments/any");
    expect(failed.status).toBe(503);
    expect(failed.body.type).toBe("SERVICE_UNAVAILABLE");
    expect((await running.api("GET", "/payments")).status).toBe(200);
  });

  it("never fires a rule with rate 0", async () => {
    running.sandbox.setFaults([{ kind: "error", status: 500, rate: 0 }]);
    for (let i = 0; i < 5; i++) expect((await running.api("GET", "/payments")).status).toBe(200);
  });

  it("resets the connection", async () => {
    running.sandbox.setFaults([{ kind: "reset", route: "getPayments", times: 1 }]);
    await expect(running.api("GET", "/payments")).rejects.toThrow();
    expect((await running.api("GET", "/payments")).status).toBe(200);
  });

  it("resets after processing: a retry with the same Idempotency-Key learns the outcome", async () => {
    const paymentId = await paidPayment(running);
    running.sandbox.setFaults([
      { kind: "reset", phase: "after", route: "cancelPayment", times: 1 },
    ]);
    const headers = { "idempotency-key": `"cancel-${paymentId}-reset"` };
    await expect(
      running.api("POST", `/payments/${paymentId}/cancel`, {
        headers,
        body: { reason: "lost answer" },
      }),
    ).rejects.toThrow();
    const retried = await running.api("POST", `/payments/${paymentId}/cancel`, {
      headers,
      body: { reason: "lost answer" },
    });
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(known(await running.client.payment.getPayment({ paymentId })).status).toBe("CANCELLED");
  });

  it("hangs until the client gives up", async () => {
    running.sandbox.setFaults([{ kind: "hang", route: "getPayments", times: 1 }]);
    const hung = fetch(`${running.baseUrl}/payments`, {
      headers: { authorization: `PortOne ${running.sandbox.apiSecret}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    expect((await running.api("GET", "/payments")).status).toBe(200);
  });

  it("is controlled over HTTP, and refuses rules it does not know", async () => {
    const set = await running.api("POST", "/sandbox/faults", {
      auth: false,
      body: { rules: [{ kind: "html-502", route: "getPayment" }] },
    });
    expect(set.status).toBe(200);
    expect((await running.api("GET", "/payments/any")).status).toBe(502);
    await running.api("POST", "/sandbox/faults", { auth: false, body: { rules: [] } });
    expect((await running.api("GET", "/payments/any")).status).toBe(404);
    const bad = await running.api("POST", "/sandbox/faults", {
      auth: false,
      body: { rules: [{ kind: "explode" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("kind");
  });
});

describe.skipIf(!hasOpenApi)("generated route table", () => {
  it("lists exactly the operations of openapi.json", () => {
    const schema = loadOpenApi();
    const fromSchema = schema.operations
      .map((o) => `${o.method} ${o.path.replace(/\{([^}]+)\}/g, ":$1")} ${o.operationId}`)
      .sort();
    const fromTable = operationRoutes.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort();
    expect(fromTable).toEqual(fromSchema);
    for (const route of operationRoutes) {
      for (const type of route.errorTypes) {
        expect(schema.statusOfErrorType(route.operationId, type)).toBeGreaterThanOrEqual(400);
      }
    }
  });
});

describe("the project's own SDK against the sandbox", () => {
  it("sends quoted Idempotency-Keys the sandbox accepts, and retries an outstanding one", async () => {
    const { PortOneClient } = await import("../../src/sdk/index.js");
    const statuses: (number | undefined)[] = [];
    const ours = PortOneClient({
      secret: running.sandbox.apiSecret,
      baseUrl: running.baseUrl,
      storeId: running.sandbox.storeId,
      maxRetries: 6,
      onResponse: ({ status }) => {
        statuses.push(status);
      },
    });
    const paymentId = await paidPayment();
    running.sandbox.setFaults([{ kind: "latency", ms: 1_500, route: "cancelPayment", times: 1 }]);
    const idempotencyKey = `cancel-${paymentId}-ours`;
    const input = { paymentId, amount: 1_000, reason: "ours" };
    const [first, second] = await Promise.all([
      ours.payment.cancelPayment(input, { idempotencyKey }),
      new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
        ours.payment.cancelPayment(input, { idempotencyKey }),
      ),
    ]);
    expect(second).toEqual(first);
    expect(statuses).toContain(409);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.amount.cancelled).toBe(1_000);
  });
});
