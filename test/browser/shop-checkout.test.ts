import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { trpcClient } from "../service/support/harness.js";
import { waitFor } from "../support/wait-for.js";
import {
  checkoutFrame,
  choose,
  docsScreenshot,
  ShopPage,
  type ShopStack,
  startShopStack,
} from "./shop-harness.js";
import { type BrowserSession, launchChromium, skipBrowserTests } from "./support/chromium.js";

describe.skipIf(skipBrowserTests)(
  "the demo shop in Chromium, against the service in sandbox mode",
  () => {
    let stack: ShopStack;
    let browser: BrowserSession;
    let shop: ShopPage;

    beforeAll(async () => {
      stack = await startShopStack();
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    beforeEach(async () => {
      shop = new ShopPage(await browser.newPage());
      await shop.open(`${stack.running.url}/`);
    });

    afterEach(async () => {
      for (const page of browser.context.pages()) await page.close();
      // Every page and frame of the scenario: the shop, the checkout iframe, popups.
      expect(browser.takeConsoleErrors()).toEqual([]);
    });

    const screenshot = (page: Page, name: string) => browser.screenshot(page, `shop-${name}`);

    const recordOf = async (paymentId: string) =>
      stack.running.service.records.getPaymentRecord(paymentId);

    it("card paid in the iframe: the page shows it paid, the record is PAID, a subscriber heard", async () => {
      await shop.choose({ payMethod: "CARD", windowType: "IFRAME" });
      await shop.buy("sneakers");
      const frame = checkoutFrame(shop.page);
      await expect(frame.locator('[data-testid="amount"]').textContent()).resolves.toBe("₩89,000");
      await docsScreenshot(shop.page, "checkout");
      await screenshot(shop.page, "card-checkout-window");
      await choose(frame, "pay");

      expect(await shop.bannerIn("paid")).toBe("Paid ₩89,000 for Canvas sneakers. Thank you!");
      const paymentId = await shop.newestPaymentId();
      await shop.waitForOrderStatus(paymentId, "PAID");
      expect(await shop.page.locator('[data-portone-sandbox="checkout"]').count()).toBe(0);
      expect((await recordOf(paymentId))?.status).toBe("PAID");
      await waitFor(
        () => stack.statusChangesFor(paymentId).some((change) => change.status === "PAID"),
        { description: "PaymentStatusChanged PAID at the subscriber" },
      );
      expect(stack.statusChangesFor(paymentId)).toEqual([
        expect.objectContaining({ previousStatus: "PREPARED", status: "PAID" }),
      ]);
      await docsScreenshot(shop.page, "shop");
      await screenshot(shop.page, "card-paid");
    });

    it("declined card: the PG's reason is shown, the order is FAILED, nothing says paid", async () => {
      await shop.choose({ payMethod: "CARD", windowType: "POPUP" });
      const [popup] = await Promise.all([browser.context.waitForEvent("page"), shop.buy("coffee")]);
      await popup.locator('button[data-choice="decline"]').waitFor({ state: "attached" });
      await popup.locator("details.decline summary").click();
      await popup.selectOption("#pgCode", "REJECT_CARD_PAYMENT");
      await screenshot(popup, "declined-checkout-window");
      await choose(popup, "decline");

      // The message of the PG code chosen in the window, through the SDK's response.
      expect(await shop.bannerIn("failed")).toBe(
        "Payment not completed: Over the card's limit or not enough balance.",
      );
      const paymentId = await shop.newestPaymentId();
      await shop.waitForOrderStatus(paymentId, "FAILED");
      expect((await recordOf(paymentId))?.status).toBe("FAILED");
      await screenshot(shop.page, "card-declined");
    });

    it("popup closed by the customer: the checkout ends cancelled, the order stays unpaid", async () => {
      await shop.choose({ payMethod: "CARD", windowType: "POPUP" });
      const [popup] = await Promise.all([browser.context.waitForEvent("page"), shop.buy("tshirt")]);
      await popup.locator('button[data-choice="pay"]').waitFor();
      await popup.close();

      const text = await shop.bannerIn("failed");
      expect(text).toMatch(/^Payment not completed: .*closed/);
      const paymentId = await shop.newestPaymentId();
      const status = await shop.orderStatus(paymentId);
      expect(["FAILED", "PREPARED"]).toContain(status);
      expect((await recordOf(paymentId))?.status).toBe(status);
      await screenshot(shop.page, "window-closed");
    });

    it("virtual account: the account is shown, the sandbox deposit's webhook makes it PAID", async () => {
      await shop.choose({ payMethod: "VIRTUAL_ACCOUNT", windowType: "IFRAME" });
      await shop.buy("tshirt");
      await choose(checkoutFrame(shop.page), "virtual-account");

      expect(await shop.bannerIn("waiting")).toMatch(
        /^Transfer ₩25,000 to .+ account \S+\. This page updates when the deposit arrives\.$/,
      );
      const paymentId = await shop.newestPaymentId();
      await shop.waitForOrderStatus(paymentId, "VIRTUAL_ACCOUNT_ISSUED");
      await screenshot(shop.page, "virtual-account-issued");

      // The bank deposit happens at the sandbox; PortOne's webhook tells the service.
      await shop.page.click(`li.order[data-payment-id="${paymentId}"] button.deposit`);
      // PortOne's Transaction.Paid reached /webhooks/portone: the service forwards what its
      // inbox accepted to its subscribers.
      await waitFor(() => stack.webhooksFor(paymentId).includes("Transaction.Paid"), {
        description: "the deposit's Transaction.Paid webhook at the service",
      });
      await shop.waitForOrderStatus(paymentId, "PAID");
      expect(await shop.bannerIn("paid")).toBe(
        "Paid ₩25,000 for Organic cotton T-shirt. Thank you!",
      );
      expect((await recordOf(paymentId))?.status).toBe("PAID");
      await waitFor(
        () => stack.statusChangesFor(paymentId).some((change) => change.status === "PAID"),
        { description: "PaymentStatusChanged PAID at the subscriber" },
      );
      expect(stack.statusChangesFor(paymentId)).toEqual([
        expect.objectContaining({ previousStatus: "PREPARED", status: "VIRTUAL_ACCOUNT_ISSUED" }),
        expect.objectContaining({ previousStatus: "VIRTUAL_ACCOUNT_ISSUED", status: "PAID" }),
      ]);
      await screenshot(shop.page, "virtual-account-paid");
    });

    it("REDIRECTION: the shop is left, PortOne's query parameters bring it back, and it completes", async () => {
      const shopUrls: URL[] = [];
      shop.page.on("framenavigated", (frame) => {
        if (frame === shop.page.mainFrame()) shopUrls.push(new URL(frame.url()));
      });
      await shop.choose({ payMethod: "CARD", windowType: "REDIRECTION" });
      await shop.buy("coffee");
      await shop.page.waitForURL((url) => url.origin === stack.sandboxUrl);
      await shop.page.locator('button[data-choice="pay"]').waitFor();
      await screenshot(shop.page, "redirection-checkout-window");
      await choose(shop.page, "pay");

      expect(await shop.bannerIn("paid")).toBe(
        "Paid ₩4,500 for Drip coffee beans 200 g. Thank you!",
      );
      const paymentId = await shop.newestPaymentId();
      const returned = shopUrls.find(
        (url) => url.origin === stack.running.url && url.searchParams.has("paymentId"),
      );
      expect(returned?.pathname).toBe("/");
      expect(Object.fromEntries(returned?.searchParams ?? [])).toMatchObject({
        paymentId,
        transactionType: "PAYMENT",
        txId: expect.any(String),
      });
      expect(returned?.searchParams.has("code")).toBe(false);
      // The page drops PortOne's parameters once it has used them.
      expect(new URL(shop.page.url()).search).toBe("");
      expect((await recordOf(paymentId))?.status).toBe("PAID");
      await screenshot(shop.page, "redirection-paid");
    });

    it("an amount tampered in the page is refused by PortOne's pre-registration: never shown paid", async () => {
      // The customer edits what the page got from payment.prepare before the checkout opens.
      const frame = await shop.buyWithTamperedAmount("sneakers", 100);
      await expect(frame.locator('[data-testid="amount"]').textContent()).resolves.toBe("₩100");
      await choose(frame, "pay");

      expect(await shop.bannerIn("failed")).toBe(
        "Payment not completed: totalAmount 100 differs from the pre-registered 89000.",
      );
      const paymentId = await shop.newestPaymentId();
      const record = await recordOf(paymentId);
      expect(record?.status).toBe("FAILED");
      expect(record?.totalAmount).toBe(89_000);
      expect(await shop.orderStatus(paymentId)).toBe("FAILED");
      expect(stack.statusChangesFor(paymentId).map((change) => change.status)).not.toContain(
        "PAID",
      );
      await screenshot(shop.page, "tampered-refused");
    });

    it("a forged return URL (PortOne's parameters, another browser's payment) is verified, not believed", async () => {
      // Anyone can type the query string REDIRECTION comes back with.
      const prepared = await trpcClient(stack.running.url).payment.prepare.mutate({
        orderId: `sneakers-forged-${Date.now()}`,
      });
      const forged = new URL("/", stack.running.url);
      forged.search = new URLSearchParams({
        paymentId: prepared.paymentId,
        transactionType: "PAYMENT",
        txId: "forged-tx",
      }).toString();
      await shop.page.goto(forged.href);

      // This browser never prepared that payment, so it holds no guest token for it: the
      // service answers as for an unknown payment, and nothing is shown as paid.
      expect(await shop.bannerIn("error")).toMatch(
        /^Could not verify the payment: Payment not found/,
      );
      // The console's only complaint is the browser reporting that 404.
      await shop.page.waitForLoadState("networkidle");
      const consoleErrors = browser.takeConsoleErrors();
      expect(consoleErrors.length).toBeGreaterThan(0);
      for (const line of consoleErrors)
        expect(line).toMatch(/\/trpc\/payment\.complete\b.*status of 404/);
      expect((await recordOf(prepared.paymentId))?.status).toBe("PREPARED");
      expect(stack.statusChangesFor(prepared.paymentId)).toEqual([]);
      await screenshot(shop.page, "forged-return");
    });
  },
);

describe.skipIf(skipBrowserTests)("the demo shop on a phone", () => {
  let stack: ShopStack;
  let phone: BrowserSession;

  beforeAll(async () => {
    stack = await startShopStack();
    phone = await launchChromium({ phone: true });
  });

  afterAll(async () => {
    await phone?.close();
    await stack?.close();
  });

  it("redirects to the checkout whatever the PC setting says, and comes back paid", async () => {
    const shop = new ShopPage(await phone.newPage());
    await shop.open(`${stack.running.url}/`);
    await phone.screenshot(shop.page, "shop-phone");
    // The PC choice is IFRAME; windowType.mobile is REDIRECTION, as most PGs require on phones.
    await shop.choose({ payMethod: "CARD", windowType: "IFRAME" });
    await shop.buy("tshirt");
    await shop.page.waitForURL((url) => url.origin === stack.sandboxUrl);
    await phone.screenshot(shop.page, "shop-phone-checkout-window");
    await shop.page.locator('button[data-choice="pay"]').click();

    expect(await shop.bannerIn("paid")).toBe("Paid ₩25,000 for Organic cotton T-shirt. Thank you!");
    const paymentId = await shop.newestPaymentId();
    expect((await stack.running.service.records.getPaymentRecord(paymentId))?.status).toBe("PAID");
    await phone.screenshot(shop.page, "shop-phone-paid");
    expect(phone.takeConsoleErrors()).toEqual([]);
  });
});
