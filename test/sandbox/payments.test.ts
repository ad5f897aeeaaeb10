import { ConfirmPaymentError } from "@portone/server-sdk/payment";
import { describe, expect, it } from "vitest";
import { useCheckedSandbox } from "../support/checked-sandbox.js";
import { known, newPaymentId, portOneError } from "../support/sandbox.js";
import { expectEveryOperationChecked } from "../support/schema-check.js";
import { paymentOperations } from "./support/operations.js";

const sandbox = useCheckedSandbox();

describe("pre-register -> checkout -> get -> cancel partial -> cancel rest", () => {
  it("walks a card payment through its whole life with the official SDK", async () => {
    const { client } = sandbox;
    const paymentId = newPaymentId();
    await client.payment.preRegisterPayment({
      paymentId,
      totalAmount: 11_000,
      taxFreeAmount: 1_000,
      currency: "KRW",
    });

    const checkout = await sandbox.checkout({
      paymentId,
      totalAmount: 11_000,
      taxFreeAmount: 1_000,
      customer: { fullName: "Kim Sandbox", email: "kim@example.com" },
      customData: { orderId: "order-1" },
    });
    expect(checkout.status).toBe(200);
    expect(checkout.body).toMatchObject({ transactionType: "PAYMENT", paymentId });
    expect(checkout.body.code).toBeUndefined();

    const paid = await client.payment.getPayment({ paymentId });
    expect(paid.status).toBe("PAID");
    if (paid.status !== "PAID") throw new Error("unreachable");
    expect(paid.transactionId).toBe(checkout.body.txId);
    expect(paid.amount).toMatchObject({
      total: 11_000,
      taxFree: 1_000,
      vat: 909,
      paid: 11_000,
      cancelled: 0,
    });
    expect(paid.channel.type).toBe("TEST");
    expect(paid.customer.name).toBe("Kim Sandbox");
    expect(JSON.parse(paid.customData ?? "{}")).toEqual({ orderId: "order-1" });

    const partial = await client.payment.cancelPayment({
      paymentId,
      amount: 4_000,
      reason: "one item returned",
      currentCancellableAmount: 11_000,
    });
    expect(partial.cancellation).toMatchObject({
      status: "SUCCEEDED",
      totalAmount: 4_000,
      taxFreeAmount: 0,
    });
    const afterPartial = known(await client.payment.getPayment({ paymentId }));
    expect(afterPartial.status).toBe("PARTIAL_CANCELLED");
    expect(afterPartial.amount).toMatchObject({ cancelled: 4_000, cancelledTaxFree: 0 });

    const stale = await portOneError(
      client.payment.cancelPayment({
        paymentId,
        reason: "stale view",
        currentCancellableAmount: 11_000,
      }),
    );
    expect(stale.data.type).toBe("CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN");
    const tooMuch = await portOneError(
      client.payment.cancelPayment({ paymentId, amount: 7_001, reason: "too much" }),
    );
    expect(tooMuch.data.type).toBe("CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT");
    const taxFreeTooMuch = await portOneError(
      client.payment.cancelPayment({
        paymentId,
        amount: 2_000,
        taxFreeAmount: 1_500,
        reason: "tax free",
      }),
    );
    expect(taxFreeTooMuch.data.type).toBe(
      "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT",
    );
    // 7,000 left of which 1,000 tax-free: a 6,500 all-taxable cancellation is too much taxable money.
    const taxableTooMuch = await portOneError(
      client.payment.cancelPayment({ paymentId, amount: 6_500, reason: "taxable" }),
    );
    expect(taxableTooMuch.data.type).toBe("CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT");
    const partsTooBig = await portOneError(
      client.payment.cancelPayment({ paymentId, amount: 500, taxFreeAmount: 600, reason: "parts" }),
    );
    expect(partsTooBig.data.type).toBe("SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT");

    const rest = await client.payment.cancelPayment({
      paymentId,
      reason: "customer changed their mind",
      currentCancellableAmount: 7_000,
    });
    expect(rest.cancellation).toMatchObject({ totalAmount: 7_000, taxFreeAmount: 1_000 });
    const cancelled = await client.payment.getPayment({ paymentId });
    expect(cancelled.status).toBe("CANCELLED");
    if (cancelled.status !== "CANCELLED") throw new Error("unreachable");
    expect(cancelled.amount).toMatchObject({ cancelled: 11_000, cancelledTaxFree: 1_000 });
    expect(cancelled.cancellations).toHaveLength(2);
    const vatCancelled = cancelled.cancellations.reduce(
      (sum, c) => sum + (c.status === "SUCCEEDED" ? c.vatAmount : 0),
      0,
    );
    expect(vatCancelled).toBe(909);

    const again = await portOneError(client.payment.cancelPayment({ paymentId, reason: "again" }));
    expect(again.data.type).toBe("PAYMENT_ALREADY_CANCELLED");
  });

  it("fails a checkout whose amount differs from the pre-registered one", async () => {
    const paymentId = newPaymentId();
    await sandbox.client.payment.preRegisterPayment({
      paymentId,
      totalAmount: 50_000,
      currency: "KRW",
    });
    const checkout = await sandbox.checkout({ paymentId, totalAmount: 100 });
    expect(checkout.body.code).toBe("BadRequest");
    expect(checkout.body.message).toContain("pre-registered");
    const payment = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(payment.status).toBe("FAILED");
  });

  it("records a tampered payment: the PG charges paidAmount instead of the order's amount", async () => {
    const paymentId = newPaymentId();
    await sandbox.client.payment.preRegisterPayment({
      paymentId,
      totalAmount: 50_000,
      currency: "KRW",
    });
    const checkout = await sandbox.checkout({ paymentId, totalAmount: 50_000, paidAmount: 100 });
    expect(checkout.body.code).toBeUndefined();
    const payment = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(payment).toMatchObject({ status: "PAID", amount: { total: 100, paid: 100 } });
  });

  it("answers ALREADY_PAID to a second checkout or pre-registration of a paid payment", async () => {
    const paymentId = newPaymentId();
    expect((await sandbox.checkout({ paymentId, totalAmount: 1_000 })).status).toBe(200);
    const second = await sandbox.checkout({ paymentId, totalAmount: 1_000 });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("InvalidEntityState");
    const error = await portOneError(
      sandbox.client.payment.preRegisterPayment({ paymentId, totalAmount: 1_000 }),
    );
    expect(error.data.type).toBe("ALREADY_PAID");
  });

  it("keeps every attempt as a transaction; the paid one is the payment", async () => {
    const paymentId = newPaymentId();
    await sandbox.checkout({ paymentId, totalAmount: 3_000, outcome: "failed" });
    const failed = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(failed.status).toBe("FAILED");
    const retry = await sandbox.checkout({ paymentId, totalAmount: 3_000 });
    const { items } = await sandbox.client.payment.getPaymentTransactions({ paymentId });
    expect(items.map((tx) => tx.status)).toEqual(["FAILED", "PAID"]);
    const payment = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(payment.transactionId).toBe(retry.body.txId);
  });

  it("answers PAYMENT_NOT_FOUND and FORBIDDEN for unknown payments and stores", async () => {
    const missing = await portOneError(
      sandbox.client.payment.getPayment({ paymentId: "no-such-payment" }),
    );
    expect(missing.data.type).toBe("PAYMENT_NOT_FOUND");
    const otherStore = await portOneError(
      sandbox.client.payment.getPayment({ paymentId: "x", storeId: "store-someone-else" }),
    );
    expect(otherStore.data.type).toBe("FORBIDDEN");
  });

  it("refuses to cancel a payment that was never paid", async () => {
    const paymentId = newPaymentId();
    await sandbox.checkout({ paymentId, totalAmount: 3_000, outcome: "failed" });
    const error = await portOneError(
      sandbox.client.payment.cancelPayment({ paymentId, reason: "nothing to cancel" }),
    );
    expect(error.data.type).toBe("PAYMENT_NOT_PAID");
  });
});

describe("manual confirmation (confirmPayment)", () => {
  async function authenticated(totalAmount = 20_000, extra: Record<string, unknown> = {}) {
    const paymentId = newPaymentId("confirm");
    const checkout = await sandbox.checkout({
      paymentId,
      totalAmount,
      outcome: "awaiting-confirm",
      ...extra,
    });
    expect(checkout.body.paymentToken).toEqual(expect.any(String));
    return {
      paymentId,
      paymentToken: checkout.body.paymentToken as string,
      txId: checkout.body.txId as string,
    };
  }

  it("confirms an authenticated payment that matches", async () => {
    const { paymentId, paymentToken, txId } = await authenticated();
    const ready = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(ready.status).toBe("READY");
    const summary = await sandbox.client.payment.confirmPayment({
      paymentId,
      paymentToken,
      txId,
      totalAmount: 20_000,
      currency: "KRW",
      taxFreeAmount: 0,
      isTest: true,
    });
    expect(summary.pgTxId).toEqual(expect.any(String));
    const paid = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(paid.status).toBe("PAID");

    const twice = await portOneError(
      sandbox.client.payment.confirmPayment({ paymentId, paymentToken }),
    );
    expect(twice).toBeInstanceOf(ConfirmPaymentError);
    expect(twice.data.type).toBe("ALREADY_PAID");
  });

  it.each([
    ["txId", { txId: "another-transaction" }],
    ["totalAmount", { totalAmount: 19_999 }],
    ["currency", { currency: "USD" }],
    ["taxFreeAmount", { taxFreeAmount: 1 }],
    ["isTest", { isTest: false }],
  ] as const)(
    "answers INFORMATION_MISMATCH when %s differs and leaves the payment unpaid",
    async (field, mismatch) => {
      const { paymentId, paymentToken } = await authenticated();
      const error = await portOneError(
        sandbox.client.payment.confirmPayment({ paymentId, paymentToken, ...mismatch } as never),
      );
      expect(error.data.type).toBe("INFORMATION_MISMATCH");
      expect(error.data.message).toContain(field);
      expect(known(await sandbox.client.payment.getPayment({ paymentId })).status).toBe("READY");
    },
  );

  it("answers INVALID_PAYMENT_TOKEN to a token of another payment", async () => {
    const first = await authenticated();
    const second = await authenticated();
    const error = await portOneError(
      sandbox.client.payment.confirmPayment({
        paymentId: first.paymentId,
        paymentToken: second.paymentToken,
      }),
    );
    expect(error.data.type).toBe("INVALID_PAYMENT_TOKEN");
  });

  it("answers PAYMENT_NOT_FOUND for a payment that never started", async () => {
    const error = await portOneError(
      sandbox.client.payment.confirmPayment({
        paymentId: newPaymentId(),
        paymentToken: "whatever",
      }),
    );
    expect(error.data.type).toBe("PAYMENT_NOT_FOUND");
  });

  it("detects a PG that charges another amount at confirmation", async () => {
    const { paymentId, paymentToken } = await authenticated(20_000, { paidAmount: 10 });
    const error = await portOneError(
      sandbox.client.payment.confirmPayment({ paymentId, paymentToken, totalAmount: 20_000 }),
    );
    expect(error.data.type).toBe("INFORMATION_MISMATCH");
  });
});

describe("virtual accounts and pending payments", () => {
  it("issues a virtual account, takes the deposit, then refuses to close it", async () => {
    const paymentId = newPaymentId("va");
    await sandbox.checkout({
      paymentId,
      totalAmount: 9_900,
      payMethod: "VIRTUAL_ACCOUNT",
      outcome: "virtual-account-issued",
    });
    const issued = known(await sandbox.client.payment.getPayment({ paymentId }));
    expect(issued.status).toBe("VIRTUAL_ACCOUNT_ISSUED");
    expect(issued.method?.type).toBe("PaymentMethodVirtualAccount");
    const deposit = await sandbox.api("POST", `/sandbox/payments/${paymentId}/deposit`, {
      auth: false,
      body: {},
    });
    expect(deposit.body.status).toBe("PAID");
    expect(known(await sandbox.client.payment.getPayment({ paymentId })).status).toBe("PAID");
    const error = await portOneError(sandbox.client.payment.closeVirtualAccount({ paymentId }));
    expect(error.data.type).toBe("PAYMENT_NOT_WAITING_FOR_DEPOSIT");
    const noAccount = await portOneError(
      sandbox.client.payment.cancelPayment({ paymentId, reason: "refund" }),
    );
    expect(noAccount.data.message).toContain("refundAccount");
    const refunded = await sandbox.client.payment.cancelPayment({
      paymentId,
      reason: "refund",
      refundAccount: { bank: "KOOKMIN", number: "12345678901234", holderName: "Kim Sandbox" },
    });
    expect(refunded.cancellation).toMatchObject({ status: "SUCCEEDED", totalAmount: 9_900 });
  });

  it("closes a virtual account nobody paid into", async () => {
    const paymentId = newPaymentId("va");
    await sandbox.checkout({ paymentId, totalAmount: 9_900, outcome: "virtual-account-issued" });
    const closed = await sandbox.client.payment.closeVirtualAccount({ paymentId });
    expect(Date.parse(closed.closedAt)).not.toBeNaN();
    expect(known(await sandbox.client.payment.getPayment({ paymentId })).status).toBe("FAILED");
  });

  it("settles a pending payment when the PG approves it", async () => {
    const paymentId = newPaymentId("pending");
    await sandbox.checkout({
      paymentId,
      totalAmount: 5_000,
      payMethod: "EASY_PAY",
      outcome: "pay-pending",
    });
    expect(known(await sandbox.client.payment.getPayment({ paymentId })).status).toBe(
      "PAY_PENDING",
    );
    await sandbox.api("POST", `/sandbox/payments/${paymentId}/settle`, {
      auth: false,
      body: { outcome: "paid" },
    });
    expect(known(await sandbox.client.payment.getPayment({ paymentId })).status).toBe("PAID");
  });
});

describe("listing payments", () => {
  it("pages and filters getPayments by status, store and time", async () => {
    const since = new Date().toISOString();
    const ids = [newPaymentId("list"), newPaymentId("list"), newPaymentId("list")];
    await sandbox.checkout({ paymentId: ids[0], totalAmount: 1_000 });
    await sandbox.checkout({ paymentId: ids[1], totalAmount: 1_000, outcome: "failed" });
    await sandbox.checkout({ paymentId: ids[2], totalAmount: 1_000, outcome: "pay-pending" });

    const failed = await sandbox.client.payment.getPayments({
      filter: { from: since, status: ["FAILED"] },
    });
    expect(failed.items.map((p) => known(p).id)).toEqual([ids[1]]);
    const pending = await sandbox.client.payment.getPayments({
      filter: { from: since, status: ["PENDING"] },
    });
    expect(pending.items.map((p) => known(p).id)).toEqual([ids[2]]);

    const pageOne = await sandbox.client.payment.getPayments({
      page: { number: 0, size: 2 },
      filter: { from: since, sortOrder: "ASC", storeId: sandbox.sandbox.storeId },
    });
    const pageTwo = await sandbox.client.payment.getPayments({
      page: { number: 1, size: 2 },
      filter: { from: since, sortOrder: "ASC" },
    });
    expect(pageOne.page).toEqual({ number: 0, size: 2, totalCount: 3 });
    expect([...pageOne.items, ...pageTwo.items].map((p) => known(p).id)).toEqual(ids);

    const future = await sandbox.client.payment.getPayments({
      filter: { from: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(future.page.totalCount).toBe(0);
  });

  it("searches text fields and filters by origin, card and features sandbox payments lack", async () => {
    const paymentId = newPaymentId("search");
    const orderName = `Search order ${paymentId}`;
    await sandbox.checkout({
      paymentId,
      totalAmount: 2_000,
      orderName,
      customer: { email: `${paymentId}@example.com` },
    });
    const byOrderName = await sandbox.client.payment.getPayments({
      filter: { textSearch: [{ field: "ORDER_NAME", value: orderName }] },
    });
    expect(byOrderName.items.map((p) => known(p).id)).toEqual([paymentId]);
    const byEmail = await sandbox.client.payment.getPayments({
      filter: {
        textSearch: [{ field: "ALL", value: `${paymentId}@example.com` }],
        platformType: "SDK_PC",
        cardType: "CREDIT",
      },
    });
    expect(byEmail.items.map((p) => known(p).id)).toEqual([paymentId]);
    const fromApi = await sandbox.client.payment.getPayments({
      filter: { textSearch: [{ field: "PAYMENT_ID", value: paymentId }], platformType: "API" },
    });
    expect(fromApi.page.totalCount).toBe(0);
    const escrow = await sandbox.client.payment.getPayments({
      filter: { escrowStatus: "REGISTERED" },
    });
    expect(escrow.page.totalCount).toBe(0);
  });

  it("walks every payment with getAllPaymentsByCursor", async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const ids = [newPaymentId("cursor"), newPaymentId("cursor"), newPaymentId("cursor")];
    for (const paymentId of ids) await sandbox.checkout({ paymentId, totalAmount: 1_000 });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 10; round++) {
      const { items } = await sandbox.client.payment.getAllPaymentsByCursor({
        from: since,
        size: 2,
        ...(cursor ? { cursor } : {}),
      });
      if (items.length === 0) break;
      seen.push(...items.map((item) => known(item.payment).id));
      cursor = items.at(-1)?.cursor;
    }
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe("checkout page", () => {
  it("serves an HTML form prefilled with the sandbox's store and channel", async () => {
    const page = await sandbox.api("GET", "/sandbox/checkout", { auth: false });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain(sandbox.sandbox.storeId);
    expect(page.text).toContain(sandbox.sandbox.channelKey);
    for (const outcome of [
      "paid",
      "failed",
      "virtual-account-issued",
      "pay-pending",
      "awaiting-confirm",
    ]) {
      expect(page.text).toContain(`value="${outcome}"`);
    }
  });

  it("lets a frontend on another origin call the checkout route (CORS)", async () => {
    const preflight = await fetch(`${sandbox.url}/sandbox/checkout`, {
      method: "OPTIONS",
      headers: {
        origin: "http://shop.localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://shop.localhost:5173");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("content-type");
    const checkout = await sandbox.api("POST", "/sandbox/checkout", {
      auth: false,
      headers: { origin: "http://shop.localhost:5173" },
      body: {
        storeId: sandbox.sandbox.storeId,
        paymentId: newPaymentId(),
        orderName: "CORS",
        totalAmount: 100,
        currency: "KRW",
      },
    });
    expect(checkout.status).toBe(200);
    expect(checkout.headers.get("access-control-allow-origin")).toBe("http://shop.localhost:5173");
  });

  it("answers a browser-SDK-shaped error for an unknown channel", async () => {
    const response = await sandbox.checkout({
      paymentId: newPaymentId(),
      totalAmount: 100,
      channelKey: "channel-key-unknown",
    });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ transactionType: "PAYMENT", code: "ChannelNotFound" });
  });
});

expectEveryOperationChecked("payment", paymentOperations);
