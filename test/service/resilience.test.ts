import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ServiceClient, useServiceStack } from "../support/service-stack.js";
import {
  configFromEnv,
  setFaults,
  signToken,
  startService,
  trpcClient,
  trpcErrorOf,
} from "./support/harness.js";

/** Generous upper bound: the service is configured with a 1.5 s timeout and one retry. */
const BOUND_MS = 20_000;

// An open payment (a virtual account awaiting its deposit) read with no sync interval: every
// payment.get asks PortOne, so each fault below is met. Settled payments never ask (see
// local-first-reads.test.ts).
const stack = useServiceStack({ env: { PAYMENT_SYNC_INTERVAL_MS: "0" } });
let alice: ServiceClient;
let paymentId: string;

async function withinBound<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  alice = await stack.client("alice");
  const order = stack.placeOrder("alice");
  const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
  await stack.checkout(prepared, {
    ...prepared,
    outcome: "virtual-account-issued",
    payMethod: "VIRTUAL_ACCOUNT",
  });
  paymentId = prepared.paymentId;
});

afterEach(async () => {
  await setFaults(stack.sandbox, []);
});

async function expectHealthyAndWorking() {
  const health = await fetch(`${stack.running.url}/healthz`);
  expect(health.status).toBe(200);
  await setFaults(stack.sandbox, []);
  const view = await alice.payment.get.query({ paymentId });
  expect(view.status).toBe("VIRTUAL_ACCOUNT_ISSUED");
}

describe("PortOne failures become clean tRPC errors in bounded time", () => {
  it("PortOne hanging (slow) -> GATEWAY_TIMEOUT", async () => {
    await setFaults(stack.sandbox, [{ kind: "hang", route: "getPayment" }]);
    const error = await withinBound(trpcErrorOf(alice.payment.get.query({ paymentId })));
    expect(error).toMatchObject({ code: "GATEWAY_TIMEOUT", httpStatus: 504 });
    expect(error.message).toBe("The payment provider did not answer in time; try again shortly.");
    await expectHealthyAndWorking();
  });

  it("PortOne answering an HTML 502 -> BAD_GATEWAY with the service's own message", async () => {
    await setFaults(stack.sandbox, [{ kind: "html-502", route: "getPayment" }]);
    const error = await withinBound(trpcErrorOf(alice.payment.get.query({ paymentId })));
    expect(error).toMatchObject({ code: "BAD_GATEWAY", httpStatus: 502 });
    expect(error.message).not.toMatch(/html|<|nginx|gateway/i);
    await expectHealthyAndWorking();
  });

  it("PortOne answering 500 with its own error body -> BAD_GATEWAY", async () => {
    await setFaults(stack.sandbox, [
      { kind: "error", status: 500, route: "getPayment", message: "internal detail" },
    ]);
    const error = await withinBound(trpcErrorOf(alice.payment.get.query({ paymentId })));
    expect(error.code).toBe("BAD_GATEWAY");
    expect(error.message).not.toContain("internal detail");
    await expectHealthyAndWorking();
  });

  it("PortOne resetting connections (down) -> BAD_GATEWAY, prepare included", async () => {
    await setFaults(stack.sandbox, [{ kind: "reset" }]);
    const get = await withinBound(trpcErrorOf(alice.payment.get.query({ paymentId })));
    expect(get.code).toBe("BAD_GATEWAY");
    const order = stack.placeOrder("alice");
    const prepare = await withinBound(
      trpcErrorOf(alice.payment.prepare.mutate({ orderId: order.orderId })),
    );
    expect(prepare.code).toBe("BAD_GATEWAY");
    await expectHealthyAndWorking();
  });

  it("PortOne not listening at all -> BAD_GATEWAY, /healthz up, /readyz not ready", async () => {
    const unreachable = await startService(
      configFromEnv({ ...stack.env, PORTONE_BASE_URL: "http://127.0.0.1:9" }),
    );
    try {
      const client = trpcClient(unreachable.url, await signToken("alice"));
      const order = stack.placeOrder("alice");
      const error = await withinBound(
        trpcErrorOf(client.payment.prepare.mutate({ orderId: order.orderId })),
      );
      expect(error.code).toBe("BAD_GATEWAY");
      expect((await fetch(`${unreachable.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${unreachable.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { store: "ok", portone: "failing" } });
    } finally {
      await unreachable.service.close();
    }
  });

  it("the shop's order service down -> BAD_GATEWAY in the service's words", async () => {
    const noShop = await startService(
      configFromEnv({ ...stack.env, ORDER_SOURCE_URL: "http://127.0.0.1:9/orders" }),
    );
    try {
      const client = trpcClient(noShop.url, await signToken("alice"));
      const error = await withinBound(
        trpcErrorOf(client.payment.prepare.mutate({ orderId: "o-1" })),
      );
      expect(error.code).toBe("BAD_GATEWAY");
      expect(error.message).toMatch(/order service/);
    } finally {
      await noShop.service.close();
    }
  });

  it("failures are counted in /metrics by operation and outcome", async () => {
    await setFaults(stack.sandbox, [{ kind: "html-502", route: "getPayment", times: 10 }]);
    await trpcErrorOf(alice.payment.get.query({ paymentId }));
    const metrics = await (await fetch(`${stack.running.internalUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /portone_requests_total\{operation="getPayment",outcome="bad_response"\} \d+/,
    );
    expect(metrics).toMatch(/payment_syncs_total\{result="error"\} \d+/);
  });
});
