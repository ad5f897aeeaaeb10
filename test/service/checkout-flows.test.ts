import { beforeAll, describe, expect, it } from "vitest";
import { type ServiceClient, useServiceStack } from "../support/service-stack.js";
import { trpcErrorOf } from "./support/harness.js";

// These flows watch PortOne's changes as they happen: every payment.get of an open payment syncs.
const stack = useServiceStack({ env: { PAYMENT_SYNC_INTERVAL_MS: "0" } });
let alice: ServiceClient;

beforeAll(async () => {
  alice = await stack.client("alice");
});

function placeOrder(overrides: Parameters<typeof stack.placeOrder>[1] = {}) {
  return stack.placeOrder("alice", overrides);
}

describe("checkout flows through the service against the sandbox", () => {
  it("prepare -> checkout -> complete ends PAID, with one status-change event", async () => {
    const order = placeOrder();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    expect(prepared).toMatchObject({
      storeId: stack.sandbox.sandbox.storeId,
      channelKey: stack.sandbox.sandbox.channelKey,
      orderName: order.orderName,
      totalAmount: order.totalAmount,
      currency: "KRW",
    });
    expect(prepared.paymentId).toMatch(/^payment-/);

    const result = await stack.checkout(prepared, { ...prepared, outcome: "paid" });
    expect(result.code).toBeUndefined();

    const view = await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(view).toMatchObject({
      paymentId: prepared.paymentId,
      orderId: order.orderId,
      status: "PAID",
      totalAmount: 25_000,
      paidAmount: 25_000,
      currency: "KRW",
      methodKind: "card",
      orderName: order.orderName,
    });
    expect(view.paidAt).not.toBeNull();
    // Nothing beyond the declared view leaves the service.
    expect(Object.keys(view).sort()).toEqual(
      [
        "cancelledAmount",
        "cancelledAt",
        "currency",
        "failedAt",
        "methodKind",
        "orderId",
        "orderName",
        "paidAmount",
        "paidAt",
        "paymentId",
        "receiptUrl",
        "requestedAt",
        "status",
        "syncedAt",
        "totalAmount",
        "updatedAt",
        "virtualAccount",
      ].sort(),
    );

    // Completing again (or racing the webhook) changes nothing and publishes nothing new.
    const again = await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(again.status).toBe("PAID");
    const got = await alice.payment.get.query({ paymentId: prepared.paymentId });
    expect(got.status).toBe("PAID");
    const changes = stack.running.events.for(prepared.paymentId).map((event) => event.status);
    expect(changes).toEqual(["PAID"]);
  });

  it("concurrent completes of the same payment record the change exactly once", async () => {
    const order = placeOrder();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    await stack.checkout(prepared, { ...prepared, outcome: "paid" });
    const views = await Promise.all(
      Array.from({ length: 8 }, () =>
        alice.payment.complete.mutate({ paymentId: prepared.paymentId }),
      ),
    );
    expect(new Set(views.map((view) => view.status))).toEqual(new Set(["PAID"]));
    expect(stack.running.events.for(prepared.paymentId)).toHaveLength(1);
  });

  it("prepare is idempotent per order and refuses an order that is already paid", async () => {
    const order = placeOrder();
    const first = await alice.payment.prepare.mutate({ orderId: order.orderId });
    const second = await alice.payment.prepare.mutate({ orderId: order.orderId });
    expect(second.paymentId).toBe(first.paymentId);
    await stack.checkout(first, { ...first, outcome: "paid" });
    await alice.payment.complete.mutate({ paymentId: first.paymentId });
    const error = await trpcErrorOf(alice.payment.prepare.mutate({ orderId: order.orderId }));
    expect(error.code).toBe("CONFLICT");
  });

  it("manual confirm: awaiting-confirm checkout, then payment.confirm ends PAID; a retry resolves to the same state", async () => {
    const order = placeOrder({ totalAmount: 89_000, orderName: "Canvas sneakers" });
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    const result = await stack.checkout(prepared, { ...prepared, outcome: "awaiting-confirm" });
    expect(result.paymentToken).toBeTruthy();
    const before = await alice.payment.get.query({ paymentId: prepared.paymentId });
    expect(before.status).toBe("READY");

    const confirmed = await alice.payment.confirm.mutate({
      paymentId: prepared.paymentId,
      paymentToken: result.paymentToken as string,
      txId: result.txId,
    });
    expect(confirmed).toMatchObject({ status: "PAID", totalAmount: 89_000, paidAmount: 89_000 });

    // ALREADY_PAID from PortOne is not an error: the caller gets the synced state.
    const retried = await alice.payment.confirm.mutate({
      paymentId: prepared.paymentId,
      paymentToken: result.paymentToken as string,
      txId: result.txId,
    });
    expect(retried.status).toBe("PAID");
  });

  it("manual confirm of a tampered amount is refused by PortOne and never PAID", async () => {
    const order = placeOrder();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    const result = await stack.checkout(prepared, {
      ...prepared,
      outcome: "awaiting-confirm",
      paidAmount: 100,
    });
    const error = await trpcErrorOf(
      alice.payment.confirm.mutate({
        paymentId: prepared.paymentId,
        paymentToken: result.paymentToken as string,
        txId: result.txId,
      }),
    );
    // The confirmation carries the order's amount, so PortOne itself refuses it.
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/does not match its order/);
    const view = await alice.payment.get.query({ paymentId: prepared.paymentId });
    expect(view.status).not.toBe("PAID");
  });

  it("a bad payment token is a BAD_REQUEST in the service's words", async () => {
    const order = placeOrder();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    const result = await stack.checkout(prepared, { ...prepared, outcome: "awaiting-confirm" });
    const error = await trpcErrorOf(
      alice.payment.confirm.mutate({
        paymentId: prepared.paymentId,
        paymentToken: "not-the-token",
        txId: result.txId,
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/payment token is invalid/);
  });

  it("a failed checkout ends FAILED", async () => {
    const order = placeOrder();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    const result = await stack.checkout(prepared, { ...prepared, outcome: "failed" });
    expect(result.code).toBe("PGProviderError");
    const view = await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(view.status).toBe("FAILED");
    expect(view.failedAt).not.toBeNull();
    expect(view.paidAt).toBeNull();
    expect(stack.running.events.for(prepared.paymentId).map((event) => event.status)).toEqual([
      "FAILED",
    ]);
  });

  it("virtual account: issued with deposit details, then PAID after the deposit", async () => {
    const order = placeOrder();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    await stack.checkout(prepared, {
      ...prepared,
      outcome: "virtual-account-issued",
      payMethod: "VIRTUAL_ACCOUNT",
    });
    const issued = await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(issued.status).toBe("VIRTUAL_ACCOUNT_ISSUED");
    expect(issued.methodKind).toBe("virtual-account");
    expect(issued.virtualAccount?.accountNumber).toBeTruthy();

    const deposit = await fetch(
      `${stack.sandbox.url}/sandbox/payments/${prepared.paymentId}/deposit`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      },
    );
    expect(deposit.ok).toBe(true);
    const paid = await alice.payment.get.query({ paymentId: prepared.paymentId });
    expect(paid.status).toBe("PAID");
    expect(paid.virtualAccount).toBeNull();
    expect(stack.running.events.for(prepared.paymentId).map((event) => event.status)).toEqual([
      "VIRTUAL_ACCOUNT_ISSUED",
      "PAID",
    ]);
  });

  it("amount tampering (paid with a different amount) becomes MISMATCH, never PAID, and is published", async () => {
    const order = placeOrder({ totalAmount: 50_000 });
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    await stack.checkout(prepared, { ...prepared, outcome: "paid", paidAmount: 1_000 });
    const view = await alice.payment.complete.mutate({ paymentId: prepared.paymentId });
    expect(view.status).toBe("MISMATCH");
    expect(view.totalAmount).toBe(50_000);
    const again = await alice.payment.get.query({ paymentId: prepared.paymentId });
    expect(again.status).toBe("MISMATCH");
    const events = stack.running.events.for(prepared.paymentId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "MISMATCH", previousStatus: "PREPARED" });
    expect(events[0]?.mismatchReason).toMatch(/amount 1000 != order 50000/);
    // Operators see it in the log too.
    expect(stack.running.logs.text()).toContain("payment does not match its order");
  });

  it("an unknown order or payment is NOT_FOUND", async () => {
    expect(
      (await trpcErrorOf(alice.payment.prepare.mutate({ orderId: "no-such-order" }))).code,
    ).toBe("NOT_FOUND");
    expect(
      (await trpcErrorOf(alice.payment.get.query({ paymentId: "no-such-payment" }))).code,
    ).toBe("NOT_FOUND");
  });

  it("invalid input is a BAD_REQUEST", async () => {
    const error = await trpcErrorOf(alice.payment.get.query({ paymentId: "" }));
    expect(error.code).toBe("BAD_REQUEST");
  });
});
