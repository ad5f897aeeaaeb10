import { describe, expect, it } from "vitest";
import { webhooksModule } from "../../src/webhooks/module.js";
import type { Webhooks } from "../../src/webhooks/pipeline.js";
import { useServiceStack } from "../support/service-stack.js";
import {
  configFromEnv,
  serviceEnv,
  signToken,
  startService,
  trpcClient,
  trpcErrorOf,
} from "./support/harness.js";

const ALLOWED_ORIGIN = "https://shop.example";

const stack = useServiceStack({
  env: {
    CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://admin.shop.example`,
    RATE_LIMIT_MAX: "40",
    BODY_LIMIT_BYTES: "2048",
    // One test below sends a batch of 30 calls (a long path segment).
    MAX_BATCH_SIZE: "30",
  },
});

describe("ops endpoints", () => {
  it("/healthz answers ok and /readyz checks the store and PortOne", async () => {
    const health = await fetch(`${stack.running.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${stack.running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { store: "ok", portone: "ok" },
    });
  });

  it("/metrics has HTTP latency by route, PortOne calls by operation/outcome, syncs by result", async () => {
    const alice = await stack.client("metrics-alice");
    const order = stack.placeOrder("metrics-alice");
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    await stack.checkout(prepared, { ...prepared, outcome: "paid" });
    await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
    await alice.payment.get.query({ paymentId: prepared.paymentId });
    // A failed payment can still be retried, so completing it again asks PortOne again.
    const failedOrder = stack.placeOrder("metrics-alice");
    const failed = await alice.payment.prepare.mutate({ orderId: failedOrder.orderId });
    await stack.checkout(failed, { ...failed, outcome: "failed" });
    await alice.payment.complete.mutate({ paymentId: failed.paymentId });
    await alice.payment.complete.mutate({ paymentId: failed.paymentId });

    // /metrics lives on the internal listener (test/security/internal-listener.test.ts).
    const response = await fetch(`${stack.running.internalUrl}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/trpc\/:path",status_code="200"\} \d+/,
    );
    expect(text).toMatch(
      /portone_requests_total\{operation="preRegisterPayment",outcome="success"\} 2/,
    );
    expect(text).toMatch(/portone_requests_total\{operation="getPayment",outcome="success"\} \d+/);
    expect(text).toMatch(
      /portone_request_duration_seconds_bucket\{le="0.005",operation="getPayment"/,
    );
    expect(text).toMatch(/payment_syncs_total\{result="changed"\} \d+/);
    expect(text).toMatch(/payment_syncs_total\{result="unchanged"\} \d+/);
    expect(text).toMatch(/payment_status_changes_total\{status="PAID"\} \d+/);
    // The paid payment's get was answered from its record: PortOne was asked by the others.
    expect(text).toMatch(/portone_calls_by_procedure_total\{procedure="payment.prepare"\} 2/);
    expect(text).toMatch(/portone_calls_by_procedure_total\{procedure="payment.complete"\} 3/);
    expect(text).toMatch(/portone_calls_by_procedure_total\{procedure="payment.get"\} 0/);
    expect(text).toContain("process_cpu_user_seconds_total");
    // Payment ids never become label values.
    expect(text).not.toContain(prepared.paymentId);
  });
});

describe("HTTP hardening", () => {
  it("echoes a well-formed x-request-id and makes one otherwise", async () => {
    const given = await fetch(`${stack.running.url}/healthz`, {
      headers: { "x-request-id": "edge-proxy-req-12345" },
    });
    expect(given.headers.get("x-request-id")).toBe("edge-proxy-req-12345");
    const made = await fetch(`${stack.running.url}/healthz`, {
      headers: { "x-request-id": "bad id!" },
    });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sets security headers (helmet)", async () => {
    const response = await fetch(`${stack.running.url}/healthz`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age/);
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("allows CORS only from the configured origins", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.running.url}/trpc/payment.get`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const denied = await preflight("https://evil.example");
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses bodies over the limit with 413", async () => {
    const response = await fetch(`${stack.running.url}/trpc/payment.prepare`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${await signToken("alice")}`,
      },
      body: JSON.stringify({ orderId: "x".repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } },
    });
  });

  it("serves batched GETs whose path names many procedures", async () => {
    const client = await stack.client("batcher");
    const calls = Array.from({ length: 30 }, (_, index) =>
      trpcErrorOf(client.payment.get.query({ paymentId: `missing-${index}` })),
    );
    const errors = await Promise.all(calls);
    expect(new Set(errors.map((error) => error.code))).toEqual(new Set(["NOT_FOUND"]));
  });

  it("rate-limits per caller: one caller's burst does not limit another", async () => {
    const greedy = await signToken("greedy");
    const statuses: number[] = [];
    for (let index = 0; index < 45; index++) {
      const response = await fetch(
        `${stack.running.url}/trpc/payment.get?input=${encodeURIComponent(JSON.stringify({ paymentId: "p" }))}`,
        { headers: { authorization: `Bearer ${greedy}` } },
      );
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    // tRPC clients see it as a typed error, one per call of a batch.
    const limited = trpcClient(stack.running.url, greedy);
    const [first, second] = await Promise.all([
      trpcErrorOf(limited.payment.get.query({ paymentId: "a" })),
      trpcErrorOf(limited.payment.get.query({ paymentId: "b" })),
    ]);
    expect(first).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429 });
    expect(second?.code).toBe("TOO_MANY_REQUESTS");
    const polite = await stack.client("polite");
    const error = await trpcErrorOf(polite.payment.get.query({ paymentId: "p" }));
    expect(error.code).toBe("NOT_FOUND");
  });
});

describe("one instrumented PortOne port", () => {
  it("reconciliation's getPayments goes through it, so /metrics counts the sweep", async () => {
    let webhooks: Webhooks | undefined;
    const reconciling = await startService(
      configFromEnv(serviceEnv(stack.sandbox, stack.shop, { RECONCILE_INTERVAL_MS: "3600000" })),
      { modules: [webhooksModule({ configure: (created) => (webhooks = created) })] },
    );
    try {
      const sweeps = async () => {
        const text = await (await fetch(`${reconciling.internalUrl}/metrics`)).text();
        const match = /^portone_requests_total\{[^}]*operation="getPayments"[^}]*\} (\d+)/m.exec(
          text,
        );
        return Number(match?.[1] ?? 0);
      };
      expect(await sweeps()).toBe(0);
      const report = await webhooks?.reconciler?.runOnce();
      expect(report).toBeDefined();
      expect(await sweeps()).toBeGreaterThanOrEqual(1);
    } finally {
      await reconciling.service.close();
    }
  });
});
