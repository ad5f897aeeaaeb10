/**
 * What follows a payment, through the official @portone/server-sdk 0.19 unchanged: manual
 * capture, escrow logistics and purchase confirmation, store receipts, pending cancellations
 * (stopped, or settled by the PG), the payment event cursor, cash receipts, promotions. Every
 * response is checked against openapi.json; the webhooks each change fires are asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox } from "../../src/sandbox/index.js";
import { useCheckedSandbox } from "../support/checked-sandbox.js";
import { known, newPaymentId, portOneError } from "../support/sandbox.js";
import { expectEveryOperationChecked } from "../support/schema-check.js";
import { afterPaymentOperations } from "./support/operations.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const MANUAL_CAPTURE = "channel-manual-capture";
const ASYNC_CANCEL = "channel-async-cancel";
const LIVE_KCP = "channel-live-kcp";

const running = useCheckedSandbox({
  channels: [
    { key: "channel-default", name: "Default test channel" },
    { key: MANUAL_CAPTURE, capture: "MANUAL", pgProvider: "NICE_V2" },
    { key: ASYNC_CANCEL, cancellation: "PENDING", pgProvider: "KCP_V2" },
    { key: LIVE_KCP, type: "LIVE", pgProvider: "KCP_V2" },
  ],
  promotions: [
    {
      id: "promotion-shinhan",
      name: "Shinhan 10 %",
      cardCompany: "SHINHAN_CARD",
      discount: { type: "PERCENT", percent: 10 },
      minimumPaymentAmount: 10_000,
      maxDiscountAmount: 3_000,
      totalBudget: 1_000_000,
    },
  ],
});
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
  running.sandbox.setWebhookEndpoints([{ url: receiver.url }]);
});
afterAll(() => receiver.close());

async function pay(parameters: Record<string, unknown> = {}) {
  const paymentId = newPaymentId("after");
  const response = await running.checkout({
    paymentId,
    totalAmount: 20_000,
    channelKey: "channel-default",
    ...parameters,
  });
  expect(response.status, response.text).toBe(200);
  return paymentId;
}

/** The webhook types delivered for a payment, in order, once deliveries in flight are done. */
async function webhookTypes(paymentId: string): Promise<string[]> {
  await running.sandbox.flushWebhooks();
  return receiver
    .bodies()
    .filter((body) => body.data?.paymentId === paymentId)
    .map((body) => body.type as string);
}

describe("channels", () => {
  it("records the channel each payment used; LIVE channels say so", async () => {
    const live = await pay({ channelKey: LIVE_KCP });
    const payment = known(await running.client.payment.getPayment({ paymentId: live }));
    expect(payment.channel).toMatchObject({ type: "LIVE", key: LIVE_KCP, pgProvider: "KCP_V2" });
    const test = known(await running.client.payment.getPayment({ paymentId: await pay() }));
    expect(test.channel).toMatchObject({ type: "TEST", key: "channel-default" });
    const unknown = await running.checkout({
      paymentId: newPaymentId(),
      totalAmount: 100,
      channelKey: "nope",
    });
    expect(unknown.body.code).toBe("ChannelNotFound");
  });

  it("refuses bad channel and promotion options at start, naming the option", async () => {
    await expect(createSandbox({ channels: [{ pgProvider: "NOT_A_PG" }] })).rejects.toThrow(
      /^channels: .*pgProvider/,
    );
    await expect(createSandbox({ channels: [] })).rejects.toThrow(TypeError);
    await expect(
      createSandbox({
        promotions: [
          {
            name: "x",
            cardCompany: "BC_CARD",
            discount: { type: "PERCENT", percent: 500 },
            totalBudget: 1,
          },
        ],
      }),
    ).rejects.toThrow(/^promotions: .*percent/);
  });

  it("adds and replaces channels through the admin route", async () => {
    const added = await running.api("POST", "/sandbox/channels", {
      auth: false,
      body: { key: "channel-added", type: "LIVE", pgProvider: "INICIS_V2" },
    });
    expect(added.status).toBe(200);
    expect(added.body.selectedChannel).toMatchObject({ type: "LIVE", pgProvider: "INICIS_V2" });
    const paymentId = await pay({ channelKey: "channel-added" });
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.channel?.type).toBe("LIVE");
    const bad = await running.api("POST", "/sandbox/channels", {
      auth: false,
      body: { key: "channel-bad", pgProvider: "NOT_A_PG" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("pgProvider");
    const listed = await running.api("GET", "/sandbox/channels", { auth: false });
    expect(listed.body.channels.map((c: { key: string }) => c.key)).toContain("channel-added");
  });
});

describe("manual capture", () => {
  it("captures an authorised payment once; automatic channels refuse", async () => {
    const paymentId = await pay({ channelKey: MANUAL_CAPTURE });
    const before = known(await running.client.payment.getPayment({ paymentId }));
    expect(before.status).toBe("PAID");
    if (before.status !== "PAID") throw new Error("unreachable");
    expect(JSON.parse(before.pgResponse ?? "{}")).toEqual({ capture: { status: "AUTHORIZED" } });
    await running.client.payment.capturePayment({ paymentId });
    const after = known(await running.client.payment.getPayment({ paymentId }));
    if (after.status !== "PAID") throw new Error("unreachable");
    expect(JSON.parse(after.pgResponse ?? "{}").capture.status).toBe("CAPTURED");
    const twice = await portOneError(running.client.payment.capturePayment({ paymentId }));
    expect(twice.data).toMatchObject({ type: "PG_PROVIDER", pgCode: "SANDBOX_ALREADY_CAPTURED" });

    const automatic = await pay();
    const refused = await portOneError(
      running.client.payment.capturePayment({ paymentId: automatic }),
    );
    expect(refused.data.type).toBe("PG_PROVIDER");
    const missing = await portOneError(
      running.client.payment.capturePayment({ paymentId: "no-such" }),
    );
    expect(missing.data.type).toBe("PAYMENT_NOT_FOUND");
    const unpaid = await pay({ outcome: "virtual-account-issued", payMethod: "VIRTUAL_ACCOUNT" });
    const notPaid = await portOneError(
      running.client.payment.capturePayment({ paymentId: unpaid }),
    );
    expect(notPaid.data.type).toBe("PAYMENT_NOT_PAID");
    expect(await webhookTypes(paymentId)).toEqual(["Transaction.Ready", "Transaction.Paid"]);
  });
});

describe("escrow", () => {
  const logistics = { company: "CJ", invoiceNumber: "1234-5678", sentAt: "2030-01-02T09:00:00Z" };

  it("registers, modifies and confirms the shipment of an escrow payment", async () => {
    const paymentId = await pay({ isEscrow: true });
    const payment = () => running.client.payment.getPayment({ paymentId }).then(known);
    expect((await payment()).escrow).toEqual({ status: "BEFORE_REGISTERED" });
    const early = await portOneError(running.client.payment.confirmEscrow({ paymentId }));
    expect(early.data.type).toBe("INVALID_REQUEST");
    const modifiedTooEarly = await portOneError(
      running.client.payment.modifyEscrowLogistics({
        paymentId,
        logistics: { ...logistics, company: "LOGEN" },
      }),
    );
    expect(modifiedTooEarly.data.type).toBe("INVALID_REQUEST");

    const applied = await running.client.payment.applyEscrowLogistics({
      paymentId,
      logistics: { ...logistics, company: "CJ" },
    });
    expect(applied).toMatchObject({
      invoiceNumber: "1234-5678",
      sentAt: "2030-01-02T09:00:00.000Z",
    });
    expect((await payment()).escrow).toMatchObject({ status: "REGISTERED", company: "CJ" });
    const again = await portOneError(
      running.client.payment.applyEscrowLogistics({
        paymentId,
        logistics: { ...logistics, company: "CJ" },
      }),
    );
    expect(again.data.type).toBe("INVALID_REQUEST");
    const modified = await running.client.payment.modifyEscrowLogistics({
      paymentId,
      logistics: { ...logistics, company: "LOGEN", invoiceNumber: "9999" },
    });
    expect(modified.invoiceNumber).toBe("9999");
    expect((await payment()).escrow).toMatchObject({ company: "LOGEN", invoiceNumber: "9999" });

    const confirmed = await running.client.payment.confirmEscrow({ paymentId, fromStore: true });
    expect(Date.parse(confirmed.completedAt)).not.toBeNaN();
    expect((await payment()).escrow).toMatchObject({
      status: "CONFIRMED",
      isAutomaticallyConfirmed: false,
    });

    const plain = await pay();
    const notEscrow = await portOneError(
      running.client.payment.confirmEscrow({ paymentId: plain }),
    );
    expect(notEscrow.data.type).toBe("INVALID_REQUEST");
  });
});

describe("store receipts", () => {
  it("registers sub-store receipts that add up to the payment", async () => {
    const paymentId = await pay({ totalAmount: 30_000 });
    const item = (totalAmount: number) => ({
      storeBusinessRegistrationNumber: "123-45-67890",
      storeName: "Sub store",
      totalAmount,
      currency: "KRW" as const,
    });
    const wrongSum = await portOneError(
      running.client.payment.registerStoreReceipt({ paymentId, items: [item(10_000)] }),
    );
    expect(wrongSum.data.type).toBe("INVALID_REQUEST");
    const registered = await running.client.payment.registerStoreReceipt({
      paymentId,
      items: [item(10_000), item(20_000)],
    });
    expect(registered.receiptUrl).toMatch(/^https:\/\//);
    const missing = await portOneError(
      running.client.payment.registerStoreReceipt({ paymentId: "nope", items: [item(1)] }),
    );
    expect(missing.data.type).toBe("PAYMENT_NOT_FOUND");
  });
});

describe("pending cancellations", () => {
  it("keeps a cancellation REQUESTED until the PG answers, and stopPaymentCancellation stops it", async () => {
    const paymentId = await pay({ channelKey: ASYNC_CANCEL, totalAmount: 10_000 });
    const { cancellation: requested } = await running.client.payment.cancelPayment({
      paymentId,
      amount: 4_000,
      reason: "one item back",
    });
    const cancellation = known(requested);
    expect(cancellation.status).toBe("REQUESTED");
    let payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.status).toBe("PAID");
    expect(payment.amount.cancelled).toBe(0);
    // A pending cancellation holds its amount: only 6,000 is left to cancel.
    const tooMuch = await portOneError(
      running.client.payment.cancelPayment({ paymentId, amount: 7_000, reason: "too much" }),
    );
    expect(tooMuch.data.type).toBe("CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT");

    const stopped = await running.client.payment.stopPaymentCancellation({
      paymentId,
      cancellationId: cancellation.id,
    });
    expect(Date.parse(stopped.stoppedAt)).not.toBeNaN();
    payment = known(await running.client.payment.getPayment({ paymentId }));
    if (payment.status !== "PAID") throw new Error("unreachable");
    expect(payment.cancellations?.map((c) => known(c).status)).toEqual(["FAILED"]);
    const twice = await portOneError(
      running.client.payment.stopPaymentCancellation({
        paymentId,
        cancellationId: cancellation.id,
      }),
    );
    expect(twice.data.type).toBe("PAYMENT_CANCELLATION_NOT_PENDING");
    const unknown = await portOneError(
      running.client.payment.stopPaymentCancellation({ paymentId, cancellationId: "nope" }),
    );
    expect(unknown.data.type).toBe("PAYMENT_CANCELLATION_NOT_FOUND");

    const second = {
      cancellation: known(
        (await running.client.payment.cancelPayment({ paymentId, reason: "all of it" }))
          .cancellation,
      ),
    };
    const settled = await running.api(
      "POST",
      `/sandbox/payments/${paymentId}/cancellations/${second.cancellation.id}/settle`,
      { auth: false, body: { outcome: "succeeded" } },
    );
    expect(settled.body.cancellation).toMatchObject({ status: "SUCCEEDED", totalAmount: 10_000 });
    payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.status).toBe("CANCELLED");
    expect(payment.amount.cancelled).toBe(10_000);
    expect(await webhookTypes(paymentId)).toEqual([
      "Transaction.Ready",
      "Transaction.Paid",
      "Transaction.CancelPending",
      "Transaction.CancelPending",
      "Transaction.Cancelled",
    ]);
    const cancelPending = receiver
      .bodies()
      .filter(
        (body) => body.data?.paymentId === paymentId && body.type === "Transaction.CancelPending",
      );
    expect(cancelPending.map((body) => body.data?.cancellationId)).toEqual([
      cancellation.id,
      second.cancellation.id,
    ]);
  });
});

describe("payment events", () => {
  it("lists paid and cancelled events after a cursor, with the amount each moved", async () => {
    const { items: before } = await running.client.payment.getAllPaymentEventsByCursor({
      size: 1000,
    });
    const paymentId = await pay({ totalAmount: 8_000 });
    await running.client.payment.cancelPayment({ paymentId, amount: 3_000, reason: "partial" });
    await running.client.payment.cancelPayment({ paymentId, reason: "the rest" });
    const cursor = before.at(-1)?.cursor;
    const { items } = await running.client.payment.getAllPaymentEventsByCursor({
      ...(cursor ? { cursor } : {}),
      size: 1000,
    });
    const mine = items
      .map((item) => known(item.paymentEvent))
      .filter((e) => e.paymentId === paymentId);
    expect(mine.map((event) => [event.type, event.eventAmount])).toEqual([
      ["PAID", 8_000],
      ["PARTIAL_CANCELLED", -3_000],
      ["CANCELLED", -5_000],
    ]);
    expect(mine.map((event) => event.totalAmount.cancelled)).toEqual([0, 3_000, 8_000]);
    const page = await running.client.payment.getAllPaymentEventsByCursor({
      ...(cursor ? { cursor } : {}),
      size: 1,
    });
    expect(page.items).toHaveLength(1);
    const next = await running.client.payment.getAllPaymentEventsByCursor({
      cursor: page.items[0]?.cursor as string,
      size: 1,
    });
    expect(next.items[0]?.cursor).not.toBe(page.items[0]?.cursor);
    const bad = await portOneError(
      running.client.payment.getAllPaymentEventsByCursor({ cursor: "x" }),
    );
    expect(bad.data.type).toBe("INVALID_REQUEST");
  });
});

describe("cash receipts", () => {
  it("issues the receipt a virtual account customer asked for once the deposit arrives", async () => {
    const paymentId = await pay({
      payMethod: "VIRTUAL_ACCOUNT",
      outcome: "virtual-account-issued",
      totalAmount: 11_000,
      virtualAccount: {
        cashReceiptType: "CASH_RECEIPT_TYPE_PERSONAL",
        customerIdentifier: "01012345678",
      },
    });
    const notYet = await portOneError(
      running.client.payment.cashReceipt.getCashReceiptByPaymentId({ paymentId }),
    );
    expect(notYet.data.type).toBe("CASH_RECEIPT_NOT_FOUND");
    await running.api("POST", `/sandbox/payments/${paymentId}/deposit`, { auth: false, body: {} });
    const receipt = known(
      await running.client.payment.cashReceipt.getCashReceiptByPaymentId({ paymentId }),
    );
    expect(receipt).toMatchObject({
      status: "ISSUED",
      amount: 11_000,
      vatAmount: 1_000,
      isManual: false,
      type: "PERSONAL",
    });
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    if (payment.status !== "PAID") throw new Error("unreachable");
    expect(payment.cashReceipt).toMatchObject({ status: "ISSUED", totalAmount: 11_000 });

    const cancelled = await running.client.payment.cashReceipt.cancelCashReceiptByPaymentId({
      paymentId,
    });
    expect(cancelled.cancelledAmount).toBe(11_000);
    const again = await portOneError(
      running.client.payment.cashReceipt.cancelCashReceiptByPaymentId({ paymentId }),
    );
    expect(again.data.type).toBe("CASH_RECEIPT_NOT_ISSUED");
    expect(await webhookTypes(paymentId)).toEqual([
      "Transaction.Ready",
      "Transaction.VirtualAccountIssued",
      "Transaction.Paid",
    ]);
  });

  it("cancels a transfer's receipt with the payment, issues manual ones, and lists them", async () => {
    const paymentId = await pay({
      payMethod: "TRANSFER",
      transfer: { cashReceiptType: "CORPORATE", customerIdentifier: "1234567890" },
    });
    await running.client.payment.cancelPayment({ paymentId, reason: "refund" });
    const receipt = known(
      await running.client.payment.cashReceipt.getCashReceiptByPaymentId({ paymentId }),
    );
    expect(receipt).toMatchObject({ status: "CANCELLED", type: "CORPORATE" });

    const manualId = newPaymentId("offline");
    const issue = () =>
      running.client.payment.cashReceipt.issueCashReceipt({
        paymentId: manualId,
        channelKey: "channel-default",
        type: "PERSONAL",
        orderName: "Cash at the counter",
        currency: "KRW",
        amount: { total: 5_500 },
        customer: { identityNumber: "01099998888" },
      });
    const issued = await issue();
    expect(issued.cashReceipt.issueNumber).toMatch(/^[0-9A-F]{10}$/);
    expect((await portOneError(issue())).data.type).toBe("CASH_RECEIPT_ALREADY_ISSUED");
    const unknownChannel = await portOneError(
      running.client.payment.cashReceipt.issueCashReceipt({
        paymentId: newPaymentId(),
        channelKey: "nope",
        type: "PERSONAL",
        orderName: "x",
        currency: "KRW",
        amount: { total: 1 },
        customer: { identityNumber: "01000000000" },
      }),
    );
    expect(unknownChannel.data.type).toBe("CHANNEL_NOT_FOUND");

    const manual = await running.client.payment.cashReceipt.getCashReceipts({
      filter: { isManual: true, paymentId: manualId },
    });
    expect(manual.items.map((item) => known(item).paymentId)).toEqual([manualId]);
    const cancelledOnes = await running.client.payment.cashReceipt.getCashReceipts({
      filter: { statuses: ["CANCELLED"], paymentId },
      page: { number: 0, size: 5 },
    });
    expect(cancelledOnes.page.totalCount).toBe(1);
  });
});

describe("promotions", () => {
  it("shows a card promotion and the discount the PG offers for an amount", async () => {
    const promotion = known(
      await running.client.payment.promotion.getPromotion({ promotionId: "promotion-shinhan" }),
    );
    expect(promotion).toMatchObject({
      type: "CARD",
      status: "IN_PROGRESS",
      cardCompany: "SHINHAN_CARD",
    });
    const offers = await running.client.payment.additionalFeature.getPgCardPromotions({
      channelKey: "channel-default",
      amount: 20_000,
    });
    expect(offers.promotions).toEqual([
      {
        promotionId: "promotion-shinhan",
        cardCompany: "SHINHAN_CARD",
        discountAmount: 2_000,
        minimumPaymentAmount: 10_000,
      },
    ]);
    const capped = await running.client.payment.additionalFeature.getPgCardPromotions({
      channelKey: "channel-default",
      amount: 50_000,
      cardCompany: "SHINHAN_CARD",
    });
    expect(capped.promotions?.[0]?.discountAmount).toBe(3_000);
    const small = await running.client.payment.additionalFeature.getPgCardPromotions({
      channelKey: "channel-default",
      amount: 9_000,
    });
    expect(small.promotions).toEqual([]);
    const added = await running.api("POST", "/sandbox/promotions", {
      auth: false,
      body: {
        id: "promotion-later",
        name: "Later",
        cardCompany: "BC_CARD",
        discount: { type: "AMOUNT", amount: 1_000 },
        totalBudget: 10_000,
        startAt: "2099-01-01T00:00:00Z",
        endAt: "2099-02-01T00:00:00Z",
      },
    });
    expect(added.status).toBe(200);
    const later = known(
      await running.client.payment.promotion.getPromotion({ promotionId: "promotion-later" }),
    );
    expect(later.status).toBe("SCHEDULED");
    const missing = await portOneError(
      running.client.payment.promotion.getPromotion({ promotionId: "nope" }),
    );
    expect(missing.data.type).toBe("PROMOTION_NOT_FOUND");
    const noChannel = await portOneError(
      running.client.payment.additionalFeature.getPgCardPromotions({
        channelKey: "nope",
        amount: 1,
      }),
    );
    expect(noChannel.data.type).toBe("CHANNEL_NOT_FOUND");
  });
});

describe("promotions at checkout", () => {
  it("discounts a card payment, spends the budget, and a full refund gives it back", async () => {
    const spent = async () =>
      known(
        await running.client.payment.promotion.getPromotion({ promotionId: "promotion-shinhan" }),
      ).spentAmount;
    const before = await spent();
    const paymentId = await pay({ totalAmount: 20_000, promotionId: "promotion-shinhan" });
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment).toMatchObject({
      promotionId: "promotion-shinhan",
      amount: { total: 20_000, discount: 2_000, paid: 18_000 },
    });
    expect(await spent()).toBe(before + 2_000);
    await running.client.payment.cancelPayment({ paymentId, reason: "returned" });
    expect(await spent()).toBe(before);

    const byTransfer = await running.checkout({
      paymentId: newPaymentId(),
      totalAmount: 20_000,
      payMethod: "TRANSFER",
      promotionId: "promotion-shinhan",
    });
    expect(byTransfer.status).toBe(400);
    expect(byTransfer.body.message).toContain("CARD");
    const tooSmall = await running.checkout({
      paymentId: newPaymentId(),
      totalAmount: 5_000,
      promotionId: "promotion-shinhan",
    });
    expect(tooSmall.status).toBe(400);
    const unknown = await running.checkout({
      paymentId: newPaymentId(),
      totalAmount: 20_000,
      promotionId: "nope",
    });
    expect(unknown.body.code).toBe("BadRequest");
  });
});

expectEveryOperationChecked("after-payment", afterPaymentOperations);
