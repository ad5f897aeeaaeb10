import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { skipBrowserTests } from "./support/chromium.js";
import { useBrowserFixture } from "./support/fixture.js";
import { callOutcome, startCall } from "./support/sdk-page-server.js";

describe.skipIf(skipBrowserTests)(
  "requestPayment through the unmodified @portone/browser-sdk",
  () => {
    const f = useBrowserFixture();
    const paymentRequest = (extra?: Record<string, unknown>) => f.paymentRequest(extra);
    /** What requestPayment resolves with for a payment transaction, with `extra` fields. */
    const resolvedWith = (paymentId: string, extra: object = {}) => ({
      resolved: { transactionType: "PAYMENT", paymentId, txId: expect.any(String), ...extra },
    });

    it("pays in the IFRAME window: the promise resolves with txId, getPayment says PAID, Transaction.Paid fires", async () => {
      const page = await f.openPage();
      const request = paymentRequest();
      await startCall(page, "requestPayment", request);
      const frame = page.frameLocator('iframe[name="portone-sandbox-checkout"]');
      await expect.poll(() => frame.getByTestId("amount").textContent()).toBe("₩12,000");
      await f.browser.screenshot(page, "sdk-iframe-window");
      await frame.getByRole("button", { name: "Pay ₩12,000" }).click();
      const outcome = await callOutcome(page);
      expect(outcome).toEqual(resolvedWith(request.paymentId));
      expect(await page.locator("[data-portone-sandbox]").count()).toBe(0);
      await f.browser.screenshot(page, "sdk-iframe-paid");
      const payment = await f.portone.payment.getPayment({ paymentId: request.paymentId });
      expect(payment).toMatchObject({
        status: "PAID",
        id: request.paymentId,
        transactionId: (outcome as { resolved: { txId: string } }).resolved.txId,
        amount: { total: 12_000, paid: 12_000 },
        orderName: "Sandbox mug",
      });
      const types = await f.webhookTypes({ paymentId: request.paymentId });
      expect(types).toEqual(["Transaction.Ready", "Transaction.Paid"]);
      await page.close();
    });

    const iframe = (page: Page) => page.frameLocator('iframe[name="portone-sandbox-checkout"]');
    const paymentOf = (paymentId: string) => f.portone.payment.getPayment({ paymentId });
    const eventsFor = (paymentId: string) => f.webhookTypes({ paymentId });
    /** The call resolved with these failure fields, and the sandbox holds the payment FAILED. */
    const expectFailed = async (page: Page, paymentId: string, failure: object) => {
      expect(await callOutcome(page)).toMatchObject({ resolved: { paymentId, ...failure } });
      expect((await paymentOf(paymentId)).status).toBe("FAILED");
    };

    it("declines with the PG code the person picked: code, pgCode and pgMessage come back, the payment is FAILED", async () => {
      const page = await f.openPage();
      const request = paymentRequest();
      await startCall(page, "requestPayment", request);
      await iframe(page).getByText("Decline", { exact: true }).click();
      await iframe(page).getByLabel("PG code").selectOption("REJECT_CARD_PAYMENT");
      await f.browser.screenshot(page, "sdk-iframe-decline-choice");
      await iframe(page).getByRole("button", { name: "Decline the payment" }).click();
      const outcome = await callOutcome(page);
      expect(outcome).toEqual(
        resolvedWith(request.paymentId, {
          code: "PGProviderError",
          message: "Over the card's limit or not enough balance.",
          pgCode: "REJECT_CARD_PAYMENT",
          pgMessage: "Over the card's limit or not enough balance.",
        }),
      );
      const payment = await paymentOf(request.paymentId);
      expect(payment).toMatchObject({
        status: "FAILED",
        failure: { pgCode: "REJECT_CARD_PAYMENT" },
      });
      expect(await eventsFor(request.paymentId)).toEqual([
        "Transaction.Ready",
        "Transaction.Failed",
      ]);
      await f.browser.screenshot(page, "sdk-iframe-declined");
      await page.close();
    });

    it("closing the window is the customer cancelling: PAY_PROCESS_CANCELED, payment FAILED, overlay gone", async () => {
      const page = await f.openPage();
      const request = paymentRequest();
      await startCall(page, "requestPayment", request);
      await iframe(page).getByRole("button", { name: "Close the window" }).click();
      const outcome = await callOutcome(page);
      expect(outcome).toMatchObject({
        resolved: {
          transactionType: "PAYMENT",
          paymentId: request.paymentId,
          code: "PGProviderError",
          pgCode: "PAY_PROCESS_CANCELED",
          message: "The customer closed the payment window.",
        },
      });
      expect(await page.locator("[data-portone-sandbox]").count()).toBe(0);
      expect((await paymentOf(request.paymentId)).status).toBe("FAILED");
      await page.close();
    });

    it("POPUP: the window opens as a popup, the choice comes back to the opener and the popup closes", async () => {
      const page = await f.openPage();
      const request = paymentRequest({ windowType: { pc: "POPUP", mobile: "REDIRECTION" } });
      const popupOpened = page.waitForEvent("popup");
      await startCall(page, "requestPayment", request);
      const popup = await popupOpened;
      await popup.waitForURL(/\/sandbox\/browser\/window\//);
      await f.browser.screenshot(popup, "sdk-popup-window");
      const popupClosed = popup.waitForEvent("close");
      await popup.getByRole("button", { name: "Pay ₩12,000" }).click();
      await popupClosed;
      const outcome = await callOutcome(page);
      expect(outcome).toEqual(resolvedWith(request.paymentId));
      expect((await paymentOf(request.paymentId)).status).toBe("PAID");
      await page.close();
    });

    it("POPUP closed by the person without a choice resolves as cancelled, and the sandbox records it", async () => {
      const page = await f.openPage();
      const request = paymentRequest({ windowType: { pc: "POPUP" } });
      const popupOpened = page.waitForEvent("popup");
      await startCall(page, "requestPayment", request);
      const popup = await popupOpened;
      await popup.waitForURL(/\/sandbox\/browser\/window\//);
      await popup.close();
      await expectFailed(page, request.paymentId, {
        code: "PGProviderError",
        pgCode: "PAY_PROCESS_CANCELED",
      });
      await page.close();
    });

    it("REDIRECTION: the page goes to the window and returns to redirectUrl with PortOne's query parameters", async () => {
      const page = await f.openPage();
      const request = paymentRequest({
        windowType: { pc: "REDIRECTION" },
        redirectUrl: `${f.pages.url}/return?order=42`,
      });
      await startCall(page, "requestPayment", request);
      await page.waitForURL(/\/sandbox\/browser\/window\//);
      await page.getByRole("button", { name: "Pay ₩12,000" }).click();
      await page.waitForURL(/\/return\?/);
      const query = Object.fromEntries(new URL(page.url()).searchParams);
      const payment = await paymentOf(request.paymentId);
      expect(query).toEqual({
        order: "42",
        transactionType: "PAYMENT",
        paymentId: request.paymentId,
        txId: (payment as { transactionId: string }).transactionId,
      });
      expect(payment.status).toBe("PAID");
      await f.browser.screenshot(page, "sdk-redirection-returned");
      await page.close();
    });

    it("REDIRECTION of a declined payment carries code, message, pgCode and pgMessage", async () => {
      const page = await f.openPage();
      const request = paymentRequest({
        windowType: { pc: "REDIRECTION" },
        redirectUrl: `${f.pages.url}/return`,
      });
      await startCall(page, "requestPayment", request);
      await page.waitForURL(/\/sandbox\/browser\/window\//);
      await page.getByText("Decline", { exact: true }).click();
      await page.getByRole("button", { name: "Decline the payment" }).click();
      await page.waitForURL(/\/return\?/);
      expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
        transactionType: "PAYMENT",
        paymentId: request.paymentId,
        txId: expect.any(String),
        code: "PGProviderError",
        message: "The card issuer declined the payment.",
        pgCode: "SANDBOX_DECLINED",
        pgMessage: "The card issuer declined the payment.",
      });
      await page.close();
    });

    it("forceRedirect sends even an IFRAME result to redirectUrl", async () => {
      const page = await f.openPage();
      const request = paymentRequest({ forceRedirect: true, redirectUrl: `${f.pages.url}/return` });
      await startCall(page, "requestPayment", request);
      await iframe(page).getByRole("button", { name: "Pay ₩12,000" }).click();
      await page.waitForURL(/\/return\?/);
      expect(new URL(page.url()).searchParams.get("paymentId")).toBe(request.paymentId);
      await page.close();
    });

    it("virtual account: issued in the window, VIRTUAL_ACCOUNT_ISSUED, then PAID after the deposit", async () => {
      const page = await f.openPage();
      const request = paymentRequest({ payMethod: "VIRTUAL_ACCOUNT", orderName: "Sandbox kettle" });
      await startCall(page, "requestPayment", request);
      await iframe(page).getByRole("button", { name: "Issue a virtual account" }).waitFor();
      expect(await iframe(page).getByRole("button", { name: /^Pay/ }).count()).toBe(0);
      await iframe(page).getByRole("button", { name: "Issue a virtual account" }).click();
      const outcome = await callOutcome(page);
      expect(outcome).toEqual(resolvedWith(request.paymentId));
      const issued = await paymentOf(request.paymentId);
      expect(issued).toMatchObject({
        status: "VIRTUAL_ACCOUNT_ISSUED",
        method: { type: "PaymentMethodVirtualAccount" },
      });
      const deposit = await fetch(`${f.sandboxUrl}/sandbox/payments/${request.paymentId}/deposit`, {
        method: "POST",
      });
      expect(deposit.status).toBe(200);
      expect((await paymentOf(request.paymentId)).status).toBe("PAID");
      expect(await eventsFor(request.paymentId)).toEqual([
        "Transaction.Ready",
        "Transaction.VirtualAccountIssued",
        "Transaction.Paid",
      ]);
      await page.close();
    });

    it("manual confirmation: the window answers a paymentToken, confirmPayment makes it PAID", async () => {
      const page = await f.openPage();
      const request = paymentRequest();
      await startCall(page, "requestPayment", request);
      await iframe(page)
        .getByRole("button", { name: "Authenticate only (manual confirmation)" })
        .click();
      const outcome = (await callOutcome(page)) as { resolved: Record<string, string> };
      expect(outcome.resolved).toEqual({
        transactionType: "PAYMENT",
        paymentId: request.paymentId,
        txId: expect.any(String),
        paymentToken: expect.stringMatching(/^sandbox-payment-token-/),
      });
      expect((await paymentOf(request.paymentId)).status).toBe("READY");
      await f.portone.payment.confirmPayment({
        paymentId: request.paymentId,
        paymentToken: outcome.resolved.paymentToken as string,
        txId: outcome.resolved.txId as string,
        totalAmount: 12_000,
        currency: "KRW",
      });
      expect((await paymentOf(request.paymentId)).status).toBe("PAID");
      await page.close();
    });

    it("checks the amount against preRegisterPayment: a tampered totalAmount never gets PAID", async () => {
      const page = await f.openPage();
      const request = paymentRequest({ totalAmount: 100 });
      await f.portone.payment.preRegisterPayment({
        paymentId: request.paymentId,
        totalAmount: 12_000,
        currency: "KRW",
      });
      await startCall(page, "requestPayment", request);
      await iframe(page).getByRole("button", { name: "Pay ₩100" }).click();
      await expectFailed(page, request.paymentId, {
        code: "BadRequest",
        message: "totalAmount 100 differs from the pre-registered 12000.",
      });
      await page.close();
    });

    it("the CDN switch: a script tag for the sandbox's /v2/browser-sdk.js defines window.PortOne", async () => {
      const page = await f.openPage("cdn");
      const request = paymentRequest();
      await startCall(page, "requestPayment", request);
      await iframe(page).getByRole("button", { name: "Pay ₩12,000" }).click();
      expect(await callOutcome(page)).toMatchObject({ resolved: { paymentId: request.paymentId } });
      expect((await paymentOf(request.paymentId)).status).toBe("PAID");
      await page.close();
    });
  },
);

describe.skipIf(skipBrowserTests)("on a phone", () => {
  const f = useBrowserFixture({ phone: true });

  it("uses windowType.mobile, and the window fits the screen without sideways scrolling", async () => {
    const page = await f.openPage();
    const paymentId = `payment-${randomUUID()}`;
    await startCall(page, "requestPayment", {
      storeId: f.sandbox.storeId,
      channelKey: f.sandbox.channelKey,
      paymentId,
      orderName: "Sandbox mug with a rather long name that has to wrap on a phone",
      totalAmount: 12_000,
      currency: "KRW",
      payMethod: "CARD",
      windowType: { pc: "IFRAME", mobile: "REDIRECTION" },
      redirectUrl: `${f.pages.url}/return`,
    });
    await page.waitForURL(/\/sandbox\/browser\/window\//);
    const widths = await page.evaluate(() => {
      const w = globalThis as unknown as {
        innerWidth: number;
        document: { documentElement: { scrollWidth: number } };
      };
      return { scroll: w.document.documentElement.scrollWidth, viewport: w.innerWidth };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.viewport);
    await f.browser.screenshot(page, "phone-checkout-window");
    await page.getByRole("button", { name: "Pay ₩12,000" }).tap();
    await page.waitForURL(/\/return\?/);
    expect(new URL(page.url()).searchParams.get("paymentId")).toBe(paymentId);
    await page.close();
  });
});
