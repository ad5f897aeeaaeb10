import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { skipBrowserTests } from "./support/chromium.js";
import { useBrowserFixture } from "./support/fixture.js";
import { callOutcome, startCall } from "./support/sdk-page-server.js";

describe.skipIf(skipBrowserTests)("the browser SDK's own errors for invalid requests", () => {
  const f = useBrowserFixture();

  const payment = (change: (request: Record<string, unknown>) => void) => {
    const request: Record<string, unknown> = f.paymentRequest();
    change(request);
    return request;
  };

  const paymentCases: [string, (request: Record<string, unknown>) => void, string, string][] = [
    ["no storeId", (r) => delete r.storeId, "BadRequest", "storeId is required."],
    ["no channelKey", (r) => delete r.channelKey, "BadRequest", "channelKey is required"],
    [
      "a negative amount",
      (r) => (r.totalAmount = -1),
      "BadRequest",
      "totalAmount must not be negative.",
    ],
    [
      "a fractional amount",
      (r) => (r.totalAmount = 12.5),
      "BadRequest",
      "totalAmount must be an integer.",
    ],
    [
      "an amount as text",
      (r) => (r.totalAmount = "12000"),
      "BadRequest",
      "totalAmount must be a number.",
    ],
    ["no amount", (r) => delete r.totalAmount, "BadRequest", "totalAmount is required."],
    [
      "a tax-free part above the total",
      (r) => (r.taxFreeAmount = 20_000),
      "BadRequest",
      "taxFreeAmount must not exceed totalAmount.",
    ],
    ["an unknown pay method", (r) => (r.payMethod = "BITCOIN"), "BadRequest", "payMethod"],
    [
      "an unknown channel",
      (r) => (r.channelKey = "channel-key-nope"),
      "ChannelNotFound",
      "No channel channel-key-nope",
    ],
    [
      "a channel group",
      (r) => {
        delete r.channelKey;
        r.channelGroupId = "group-1";
      },
      "ChannelNotFound",
      "no channel group group-1",
    ],
    ["an unknown store", (r) => (r.storeId = "store-nope"), "StoreNotFound", "No store store-nope"],
    [
      "REDIRECTION without redirectUrl",
      (r) => (r.windowType = { pc: "REDIRECTION" }),
      "BadRequest",
      "redirectUrl is required",
    ],
    [
      "a javascript: redirectUrl",
      (r) => (r.redirectUrl = "javascript:alert(document.cookie)"),
      "BadRequest",
      "redirectUrl must be an absolute http(s) URL.",
    ],
    [
      "an unknown window type",
      (r) => (r.windowType = { pc: "FULLSCREEN" }),
      "BadRequest",
      "windowType.pc",
    ],
    [
      "a control character in orderName",
      (r) => (r.orderName = "mug\u0000"),
      "BadRequest",
      "orderName must not contain control characters.",
    ],
  ];

  for (const [name, change, code, message] of paymentCases) {
    it(`requestPayment with ${name} rejects with PaymentError ${code}, opens no window, records nothing`, async () => {
      const page = await f.openPage();
      const request = payment(change);
      await startCall(page, "requestPayment", request);
      const outcome = await callOutcome(page);
      expect(outcome).toMatchObject({
        rejected: {
          __portOneErrorType: "PaymentError",
          errorClass: "PaymentError",
          isPortOneError: true,
          transactionType: "PAYMENT",
          code,
          message: expect.stringContaining(message),
          paymentId: request.paymentId,
        },
      });
      expect(await page.locator("[data-portone-sandbox]").count()).toBe(0);
      const lookup = await fetch(
        `${f.sandboxUrl}/payments/${encodeURIComponent(String(request.paymentId))}`,
        {
          headers: { authorization: `PortOne ${f.sandbox.apiSecret}` },
        },
      );
      expect(lookup.status).toBe(404);
      await page.close();
    });
  }

  it("requestPayment for a payment already paid rejects with PaymentAlreadyPaid", async () => {
    const paymentId = `payment-${randomUUID()}`;
    const paid = await fetch(`${f.sandboxUrl}/sandbox/checkout`, {
      method: "POST",
      body: JSON.stringify(payment((r) => (r.paymentId = paymentId))),
    });
    expect(paid.status).toBe(200);
    const page = await f.openPage();
    await startCall(
      page,
      "requestPayment",
      payment((r) => (r.paymentId = paymentId)),
    );
    expect(await callOutcome(page)).toMatchObject({
      rejected: { errorClass: "PaymentError", code: "PaymentAlreadyPaid", paymentId },
    });
    await page.close();
  });

  it("rejects what it does not emulate with the matching error class", async () => {
    const page = await f.openPage();
    const base = { storeId: f.sandbox.storeId, channelKey: f.sandbox.channelKey };
    const cases: [string, Record<string, unknown> | null, string, string][] = [
      [
        "requestIssueBillingKey",
        { ...base, billingKeyMethod: "EASY_PAY" },
        "IssueBillingKeyError",
        "BadRequest",
      ],
      ["requestIssueBillingKey", { ...base }, "IssueBillingKeyError", "BadRequest"],
      [
        "requestIdentityVerification",
        { storeId: f.sandbox.storeId },
        "IdentityVerificationError",
        "BadRequest",
      ],
      [
        "requestIssueBillingKeyAndPay",
        { ...base, paymentId: "p-1" },
        "IssueBillingKeyAndPayError",
        "BadRequest",
      ],
      ["loadPaymentUI", { ...base, uiType: "PAYPAL_SPB" }, "LoadPaymentUIError", "Unimplemented"],
      [
        "loadIssueBillingKeyUI",
        { ...base, uiType: "PAYPAL_RT" },
        "LoadIssueBillingKeyUIError",
        "Unimplemented",
      ],
      ["requestPayment", null, "PaymentError", "BadRequest"],
    ];
    for (const [method, request, errorClass, code] of cases) {
      await startCall(page, method, request);
      expect(await callOutcome(page), method).toMatchObject({
        rejected: { errorClass, code, isPortOneError: true },
      });
    }
    await page.close();
  });
});
