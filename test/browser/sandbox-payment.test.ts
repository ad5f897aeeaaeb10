import { randomUUID } from "node:crypto";
import { PortOneClient } from "@portone/server-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { WebhookReceiver } from "../sandbox/support/webhook-receiver.js";
import { type BrowserSession, launchChromium, skipBrowserTests } from "./support/chromium.js";
import {
  callOutcome,
  openMerchantPage,
  SdkPageServer,
  startCall,
} from "./support/sdk-page-server.js";

describe.skipIf(skipBrowserTests)(
  "requestPayment through the unmodified @portone/browser-sdk",
  () => {
    let sandbox: Sandbox;
    let sandboxUrl: string;
    let receiver: WebhookReceiver;
    let pages: SdkPageServer;
    let browser: BrowserSession;
    let portone: ReturnType<typeof PortOneClient>;

    beforeAll(async () => {
      receiver = await new WebhookReceiver().start();
      sandbox = await createSandbox({ webhookEndpoints: [{ url: receiver.url }] });
      sandboxUrl = await sandbox.listen();
      pages = await new SdkPageServer(sandboxUrl).start();
      browser = await launchChromium();
      portone = PortOneClient({
        secret: sandbox.apiSecret,
        baseUrl: sandboxUrl,
        storeId: sandbox.storeId,
      });
    });
    afterAll(async () => {
      await browser?.close();
      await pages?.close();
      await sandbox?.close();
      await receiver?.close();
    });
    afterEach(() => {
      expect(browser.takeConsoleErrors()).toEqual([]);
    });

    const paymentRequest = (extra: Record<string, unknown> = {}) => ({
      storeId: sandbox.storeId,
      channelKey: sandbox.channelKey,
      paymentId: `payment-${randomUUID()}`,
      orderName: "Sandbox mug",
      totalAmount: 12_000,
      currency: "KRW",
      payMethod: "CARD",
      ...extra,
    });

    it("pays in the IFRAME window: the promise resolves with txId, getPayment says PAID, Transaction.Paid fires", async () => {
      const page = await browser.newPage();
      await openMerchantPage(page, pages);
      const request = paymentRequest();
      await startCall(page, "requestPayment", request);
      const frame = page.frameLocator('iframe[name="portone-sandbox-checkout"]');
      await expect.poll(() => frame.getByTestId("amount").textContent()).toBe("₩12,000");
      await browser.screenshot(page, "sdk-iframe-window");
      await frame.getByRole("button", { name: "Pay ₩12,000" }).click();
      const outcome = await callOutcome(page);
      expect(outcome).toEqual({
        resolved: {
          transactionType: "PAYMENT",
          paymentId: request.paymentId,
          txId: expect.any(String),
        },
      });
      expect(await page.locator("[data-portone-sandbox]").count()).toBe(0);
      await browser.screenshot(page, "sdk-iframe-paid");
      const payment = await portone.payment.getPayment({ paymentId: request.paymentId });
      expect(payment).toMatchObject({
        status: "PAID",
        id: request.paymentId,
        transactionId: (outcome as { resolved: { txId: string } }).resolved.txId,
        amount: { total: 12_000, paid: 12_000 },
        orderName: "Sandbox mug",
      });
      await sandbox.flushWebhooks();
      const types = receiver
        .bodies()
        .filter((body) => body.data?.paymentId === request.paymentId)
        .map((body) => body.type);
      expect(types).toEqual(["Transaction.Ready", "Transaction.Paid"]);
      await page.close();
    });
  },
);
