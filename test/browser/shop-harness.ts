import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FrameLocator, Page } from "playwright-core";
import { buildShop } from "../../scripts/shop/build-shop.js";
import { type RunningService, startFromEnv } from "../../src/main.js";
import { randomSecret, SubscriberServer } from "../webhooks/support/subscriber-server.js";

const ROOT = resolve(import.meta.dirname, "../..");
/** With SHOP_DOCS_SCREENSHOTS=1, the README's two pictures are rewritten from the test run. */
const DOCS_DIR = join(ROOT, "docs");

export async function docsScreenshot(page: Page, name: "shop" | "checkout"): Promise<void> {
  if (process.env.SHOP_DOCS_SCREENSHOTS !== "1") return;
  mkdirSync(DOCS_DIR, { recursive: true });
  await page.screenshot({ path: join(DOCS_DIR, `${name}.png`) });
}

/** The service as `npm start` runs it (src/main.ts, sandbox mode), plus a signed subscriber. */
export interface ShopStack {
  readonly running: RunningService;
  readonly subscriber: SubscriberServer;
  readonly sandboxUrl: string;
  /** Types of the PortOne webhooks (Transaction.*) the service forwarded for one payment. */
  webhooksFor(paymentId: string): string[];
  /** PaymentStatusChanged deliveries the subscriber accepted for one payment. */
  statusChangesFor(paymentId: string): { status: string; previousStatus: string }[];
  close(): Promise<void>;
}

export async function startShopStack(): Promise<ShopStack> {
  await buildShop();
  const subscriber = new SubscriberServer(randomSecret());
  await subscriber.listen();
  const dataDir = mkdtempSync(join(tmpdir(), "bff-shop-browser-"));
  const running = await startFromEnv({
    HOST: "127.0.0.1",
    // A subscriber is a live setting: sandbox mode with one must be asked for by name.
    PORTONE_MODE: "sandbox",
    INTERNAL_PORT: "0",
    PORT: "0",
    SANDBOX_PORT: "0",
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    WEBHOOK_SUBSCRIBERS: JSON.stringify([{ url: subscriber.url, secret: subscriber.secret }]),
    WEBHOOK_POLL_INTERVAL_MS: "50",
    WEBHOOK_RETRY_BASE_MS: "50",
    RECONCILE_INTERVAL_MS: "0",
  });
  return {
    running,
    subscriber,
    sandboxUrl: running.service.config.portone.baseUrl,
    webhooksFor: (paymentId) =>
      subscriber.accepted
        .filter((delivery) => String(delivery.body.type).startsWith("Transaction."))
        .filter(
          (delivery) => (delivery.body.data as { paymentId?: string }).paymentId === paymentId,
        )
        .map((delivery) => String(delivery.body.type)),
    statusChangesFor: (paymentId) =>
      subscriber.accepted
        .filter((delivery) => delivery.body.type === "PaymentStatusChanged")
        .map(
          (delivery) =>
            delivery.body.data as { paymentId: string; status: string; previousStatus: string },
        )
        .filter((data) => data.paymentId === paymentId),
    async close() {
      await running.shutdown();
      await subscriber.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo shop's page, driven as a customer would. */
/** The sandbox's checkout window, wherever it opened (iframe, popup, or the page itself). */
export type CheckoutWindow = Page | FrameLocator;

export function checkoutFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[name="portone-sandbox-checkout"]');
}

/** Clicks one of the checkout window's choices ("pay", "decline", "virtual-account", ...). */
export async function choose(window: CheckoutWindow, choice: string): Promise<void> {
  await window.locator(`button[data-choice="${choice}"]`).click();
}

export class ShopPage {
  constructor(readonly page: Page) {}

  /** Opens the shop with an empty order list (the browser profile is shared by a file's tests). */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.evaluate("localStorage.clear()");
    await this.page.reload();
    await this.page.locator("button.buy").first().waitFor();
  }

  async choose(options: { payMethod?: "CARD" | "VIRTUAL_ACCOUNT"; windowType?: string }) {
    if (options.payMethod) await this.page.selectOption("#pay-method", options.payMethod);
    if (options.windowType) await this.page.selectOption("#window-type", options.windowType);
  }

  /**
   * What a customer can do in their own browser: rewrite the amount `payment.prepare`
   * answered before the page opens the checkout with it.
   */
  async tamperPreparedAmount(totalAmount: number): Promise<void> {
    await this.page.route("**/trpc/payment.prepare**", async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as [{ result: { data: { totalAmount: number } } }];
      body[0].result.data.totalAmount = totalAmount;
      await route.fulfill({ response, json: body });
    });
  }

  /**
   * Buys `productId` by card in the IFRAME window with the amount rewritten to `totalAmount`
   * (see tamperPreparedAmount); resolves with the checkout window that opened.
   */
  async buyWithTamperedAmount(productId: string, totalAmount: number): Promise<FrameLocator> {
    await this.tamperPreparedAmount(totalAmount);
    await this.choose({ payMethod: "CARD", windowType: "IFRAME" });
    await this.buy(productId);
    return checkoutFrame(this.page);
  }

  async buy(productId: string): Promise<void> {
    await this.page.click(`button.buy[data-product="${productId}"]`);
  }

  banner() {
    return this.page.locator("#checkout-status");
  }

  /** Waits until the banner shows `state` and returns its text. */
  async bannerIn(state: string): Promise<string> {
    await this.page.locator(`#checkout-status[data-state="${state}"]`).waitFor();
    return (await this.banner().textContent()) ?? "";
  }

  /** The paymentId of the newest order in "Your orders". */
  async newestPaymentId(): Promise<string> {
    const id = await this.page.locator("li.order").first().getAttribute("data-payment-id");
    if (!id) throw new Error("no order listed");
    return id;
  }

  async orderStatus(paymentId: string): Promise<string | null> {
    return this.page
      .locator(`li.order[data-payment-id="${paymentId}"] .badge`)
      .getAttribute("data-status");
  }

  async waitForOrderStatus(paymentId: string, status: string): Promise<void> {
    await this.page
      .locator(`li.order[data-payment-id="${paymentId}"] .badge[data-status="${status}"]`)
      .waitFor();
  }
}
