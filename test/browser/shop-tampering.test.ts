import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildShop } from "../../scripts/shop/build-shop.js";
import { loadConfig, withPortOne } from "../../src/config.js";
import type { PortOnePaymentApi } from "../../src/payments/ports.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { PortOneClient } from "../../src/sdk/index.js";
import { buildServer, type Service } from "../../src/server.js";
import { CapturedEvents } from "../service/support/harness.js";
import { choose, ShopPage } from "./shop-harness.js";
import { type BrowserSession, launchChromium, skipBrowserTests } from "./support/chromium.js";

/**
 * The second line of defence. PortOne's pre-registration normally refuses a tampered amount
 * (shop-checkout.test.ts); here the PortOne the service talks to forgets pre-registrations,
 * as if a PG had ignored them, so the tampered checkout is paid, for the wrong amount. The
 * service's own comparison with the order must still never let the page show it paid.
 */
describe.skipIf(skipBrowserTests)("a tampered amount that PortOne lets through", () => {
  let sandbox: Sandbox;
  let service: Service;
  let serviceUrl: string;
  let dataDir: string;
  let browser: BrowserSession;
  const events = new CapturedEvents();

  beforeAll(async () => {
    await buildShop();
    sandbox = await createSandbox();
    const sandboxUrl = (await sandbox.listen({ port: 0, host: "127.0.0.1" })).replace(/\/$/, "");
    dataDir = mkdtempSync(join(tmpdir(), "bff-shop-tampering-"));
    const env = loadConfig({
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    const config = withPortOne(env, {
      apiSecret: sandbox.apiSecret,
      baseUrl: sandboxUrl,
      storeId: sandbox.storeId,
      channelKey: sandbox.channelKey,
      channelType: "TEST",
      webhookSecrets: [sandbox.webhookSecret],
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    expect(config.sandboxMode).toBe(true);
    const client = PortOneClient({ secret: sandbox.apiSecret, baseUrl: sandboxUrl });
    const forgetfulPortOne: PortOnePaymentApi = {
      getPayment: (options) => client.payment.getPayment(options),
      getPayments: (options) => client.payment.getPayments(options),
      confirmPayment: (options) => client.payment.confirmPayment(options),
      preRegisterPayment: async () => ({}),
    };
    service = await buildServer(config, { portone: forgetfulPortOne, eventSinks: [events] });
    serviceUrl = await service.listen();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await sandbox?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("ends MISMATCH: paid at PortOne for 100, the order costs 89,000, the page never says paid", async () => {
    const shop = new ShopPage(await browser.newPage());
    await shop.open(`${serviceUrl}/`);
    const bannerStates: string[] = [];
    await shop.page.exposeFunction("recordBannerState", (state: string) =>
      bannerStates.push(state),
    );
    // Runs in the page (a string: the test's TypeScript has no DOM library).
    await shop.page.evaluate(`
      const banner = document.getElementById("checkout-status");
      new MutationObserver(() => recordBannerState(banner.dataset.state + ": " + banner.textContent))
        .observe(banner, { attributes: true, childList: true, characterData: true, subtree: true });
    `);
    // The customer edits what the page got from payment.prepare before the checkout opens.
    const frame = await shop.buyWithTamperedAmount("sneakers", 100);
    await expect(frame.locator('[data-testid="amount"]').textContent()).resolves.toBe("₩100");
    await choose(frame, "pay");

    expect(await shop.bannerIn("mismatch")).toBe(
      "The payment does not match the order, so the order is not paid. The shop will review it.",
    );
    const paymentId = await shop.newestPaymentId();
    expect(await shop.orderStatus(paymentId)).toBe("MISMATCH");
    const record = await service.records.getPaymentRecord(paymentId);
    expect(record).toMatchObject({ status: "MISMATCH", totalAmount: 89_000 });
    expect(record?.mismatchReason).toMatch(/amount 100 != order 89000/);
    expect(events.for(paymentId).map((event) => event.status)).toEqual(["MISMATCH"]);
    // Not even for a moment: every state the banner went through.
    expect(bannerStates.length).toBeGreaterThan(0);
    expect(bannerStates.filter((state) => state.startsWith("paid"))).toEqual([]);
    await browser.screenshot(shop.page, "shop-tampered-mismatch");
    expect(browser.takeConsoleErrors()).toEqual([]);
  });
});
