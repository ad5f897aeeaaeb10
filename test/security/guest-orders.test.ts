import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "../../src/payments/ports.js";
import { checkout, signToken, trpcClient, trpcErrorOf } from "../service/support/harness.js";
import { rawTrpc, type SecurityStack, STORES, startSecurityStack } from "./support/stack.js";

/**
 * Finding 2 of issue 8: `payment.prepare` on an existing guest order handed its paymentId and
 * the customer's name, e-mail and phone to any caller; with sequential order ids all were
 * harvested, and `payment.get` then worked with the paymentId. These tests are that attack.
 */
describe.each(STORES)("guest orders cannot be harvested (%s)", (store) => {
  let stack: SecurityStack;
  let guestJwt: string;
  let mallory: string;
  const run = `${process.pid}${Date.now().toString(36)}`;
  let sequence = 0;

  beforeAll(async () => {
    stack = await startSecurityStack(store);
    guestJwt = await signToken(`guest-browser-${run}`);
    mallory = await signToken(`mallory-${run}`);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A guest order as a shop with sequential order numbers creates them. */
  function placeGuestOrder(): Order {
    sequence += 1;
    const order: Order = {
      orderId: `G-${run}-${sequence}`,
      customerId: null,
      orderName: "Drip coffee beans 200 g",
      totalAmount: 4_500,
      currency: "KRW",
      customer: {
        fullName: `Guest Person ${sequence}`,
        email: `guest${sequence}-${run}@example.test`,
        phoneNumber: `010-5555-${String(sequence).padStart(4, "0")}`,
      },
    };
    stack.shop.orders.set(order.orderId, order);
    return order;
  }

  it("the first prepare issues a guest token, stored only as its SHA-256; no customer data", async () => {
    const order = placeGuestOrder();
    const guest = trpcClient(stack.service.url, guestJwt);
    const prepared = await guest.payment.prepare.mutate({ orderId: order.orderId });
    expect(prepared.guestToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(prepared.customer).toBeNull();
    const stored = await stack.guestTokenHashOf(prepared.paymentId);
    expect(stored).toBe(
      createHash("sha256")
        .update(prepared.guestToken as string)
        .digest("base64url"),
    );
    expect(stored).not.toContain(prepared.guestToken);

    // The owner, token in hand, goes on as before: prepare again, pay, complete, get, confirm.
    const guestToken = prepared.guestToken as string;
    const again = await guest.payment.prepare.mutate({ orderId: order.orderId, guestToken });
    expect(again).toMatchObject({ paymentId: prepared.paymentId, guestToken });
    await checkout(stack.sandbox, prepared, { ...prepared, outcome: "paid" });
    const completed = await guest.payment.complete.mutate({
      paymentId: prepared.paymentId,
      guestToken,
    });
    expect(completed.status).toBe("PAID");
    const got = await guest.payment.get.query({ paymentId: prepared.paymentId, guestToken });
    expect(got.status).toBe("PAID");
    // The token, not the sign-in, is the proof: another signed-in caller holding it is the guest.
    const sameGuestOtherDevice = trpcClient(stack.service.url, mallory);
    const view = await sameGuestOtherDevice.payment.get.query({
      paymentId: prepared.paymentId,
      guestToken,
    });
    expect(view.status).toBe("PAID");
    expect(stack.service.logs.text()).not.toContain(guestToken);
  });

  it("30 sequential guest orders: another caller gets exactly the unknown-order answer for each", async () => {
    const guests = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const order = placeGuestOrder();
        const prepared = await trpcClient(stack.service.url, guestJwt).payment.prepare.mutate({
          orderId: order.orderId,
        });
        return { order, prepared };
      }),
    );
    const unknownOrder = await rawTrpc(
      stack.service.url,
      "payment.prepare",
      { orderId: `G-${run}-never-placed` },
      { token: mallory },
    );
    expect(unknownOrder.status).toBe(404);
    const unknownPayment = await rawTrpc(
      stack.service.url,
      "payment.get",
      { paymentId: "payment-never-prepared" },
      { token: mallory },
    );
    expect(unknownPayment.status).toBe(404);

    let harvested = 0;
    const anotherGuestsToken = guests[0]?.prepared.guestToken as string;
    for (const { order, prepared } of guests) {
      const attempts = [
        await rawTrpc(
          stack.service.url,
          "payment.prepare",
          { orderId: order.orderId },
          { token: mallory },
        ),
        await rawTrpc(
          stack.service.url,
          "payment.prepare",
          { orderId: order.orderId, guestToken: "A".repeat(43) },
          { token: mallory },
        ),
      ];
      for (const answer of attempts) {
        expect(answer).toEqual({
          status: 404,
          text: unknownOrder.text.replaceAll(`G-${run}-never-placed`, order.orderId),
        });
      }
      // Even with the paymentId (leaked elsewhere), no token or another guest's token gets nothing.
      const tokens =
        prepared.guestToken === anotherGuestsToken ? [undefined] : [undefined, anotherGuestsToken];
      for (const guestToken of tokens) {
        const byPaymentId = [
          await rawTrpc(
            stack.service.url,
            "payment.get",
            { paymentId: prepared.paymentId, guestToken },
            { token: mallory },
          ),
          await rawTrpc(
            stack.service.url,
            "payment.complete",
            { paymentId: prepared.paymentId, guestToken },
            { token: mallory },
          ),
          await rawTrpc(
            stack.service.url,
            "payment.confirm",
            { paymentId: prepared.paymentId, paymentToken: "tok", txId: "tx", guestToken },
            { token: mallory },
          ),
        ];
        for (const answer of byPaymentId) {
          expect(answer.status).toBe(404);
          expect(JSON.parse(answer.text).error.message).toBe(
            JSON.parse(unknownPayment.text).error.message,
          );
        }
      }
      const everything = attempts.map((answer) => answer.text).join("\n");
      const customer = order.customer ?? {};
      for (const secret of [
        prepared.paymentId,
        prepared.guestToken,
        customer.fullName,
        customer.email,
        customer.phoneNumber,
      ])
        if (everything.includes(secret as string)) harvested += 1;
    }
    expect(harvested).toBe(0);
  });

  it("manual confirm of a guest payment needs the guest token; the stranger's attempt changes nothing", async () => {
    const order = placeGuestOrder();
    const guest = trpcClient(stack.service.url, guestJwt);
    const prepared = await guest.payment.prepare.mutate({ orderId: order.orderId });
    const guestToken = prepared.guestToken as string;
    const result = await checkout(stack.sandbox, prepared, {
      ...prepared,
      outcome: "awaiting-confirm",
    });
    const confirmation = {
      paymentId: prepared.paymentId,
      paymentToken: result.paymentToken as string,
      txId: result.txId,
    };
    const stranger = trpcClient(stack.service.url, mallory);
    const refused = await trpcErrorOf(stranger.payment.confirm.mutate(confirmation));
    expect(refused.code).toBe("NOT_FOUND");
    const before = await guest.payment.get.query({ paymentId: prepared.paymentId, guestToken });
    expect(before.status).toBe("READY");
    const confirmed = await guest.payment.confirm.mutate({ ...confirmation, guestToken });
    expect(confirmed.status).toBe("PAID");
  });

  it("a paid guest order answers a stranger NOT_FOUND, not CONFLICT (no state leaks)", async () => {
    const order = placeGuestOrder();
    const guest = trpcClient(stack.service.url, guestJwt);
    const prepared = await guest.payment.prepare.mutate({ orderId: order.orderId });
    await checkout(stack.sandbox, prepared, { ...prepared, outcome: "paid" });
    const guestToken = prepared.guestToken as string;
    await guest.payment.complete.mutate({ paymentId: prepared.paymentId, guestToken });

    const stranger = trpcClient(stack.service.url, mallory);
    const error = await trpcErrorOf(stranger.payment.prepare.mutate({ orderId: order.orderId }));
    expect(error.code).toBe("NOT_FOUND");
    // Its owner still learns the truth.
    const owners = await trpcErrorOf(
      guest.payment.prepare.mutate({ orderId: order.orderId, guestToken }),
    );
    expect(owners.code).toBe("CONFLICT");
  });

  it("racing first prepares of one guest order: exactly one caller becomes its owner", async () => {
    const order = placeGuestOrder();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        trpcClient(stack.service.url, guestJwt).payment.prepare.mutate({ orderId: order.orderId }),
      ),
    );
    const owners = results.filter((result) => result.status === "fulfilled");
    expect(owners).toHaveLength(1);
    for (const result of results)
      if (result.status === "rejected")
        expect((result.reason as { data?: { code?: string } }).data?.code).toBe("NOT_FOUND");
  });

  it("a malformed guest token is a BAD_REQUEST that says what is expected", async () => {
    const answer = await rawTrpc(
      stack.service.url,
      "payment.get",
      { paymentId: "payment-x", guestToken: "short" },
      { token: mallory },
    );
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("guestToken must be the token payment.prepare returned");
  });
});
