import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startFromEnv } from "../../src/main.js";
import {
  type BrowserSession,
  launchChromium,
  skipBrowserTests,
} from "../browser/support/chromium.js";

/**
 * The sandbox's checkout form inside the service, in a real browser: it pays only payments the
 * service prepared (it prepares the demo order first), says how the flow works, and its old
 * bugs are gone (an uncaught SyntaxError on ?customer=notjson, a favicon 404, no viewport tag).
 */
describe.skipIf(skipBrowserTests)("the sandbox checkout form in the service", () => {
  let running: RunningService;
  let browser: BrowserSession;
  let dataDir: string;
  let checkoutUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "bff-checkout-form-"));
    running = await startFromEnv(
      { PORT: "0", SANDBOX_PORT: "0", INTERNAL_PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      { logStream: { write: () => undefined } },
    );
    checkoutUrl = `${running.service.config.portone.baseUrl}/sandbox/checkout`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prepares a demo order through the service, pays it, and the service records it PAID", async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(checkoutUrl);
    expect(await page.locator('meta[name="viewport"]').count()).toBe(1);
    expect(await page.locator("#flow").textContent()).toMatch(/payment\.prepare[\s\S]*webhook/);
    await page.fill("#orderId", "tshirt-form-1");
    await page.click("button[type=submit]");
    await page.waitForFunction('document.getElementById("result").textContent.includes("txId")');
    const paymentId = await page.inputValue("#paymentId");
    expect(paymentId).toMatch(/^payment-/);
    await expect
      .poll(async () => (await running.service.records.getPaymentRecord(paymentId))?.status)
      .toBe("PAID");
    expect(requested.some((url) => url.endsWith("/favicon.ico"))).toBe(false);
    expect(browser.takeConsoleErrors()).toEqual([]);
  });

  it("an order the service refuses is refused on the page, and nothing is paid", async () => {
    const page = await browser.newPage();
    await page.goto(checkoutUrl);
    await page.fill("#orderId", "unknown-product-1");
    await page.evaluate('document.getElementById("orderId").removeAttribute("pattern")');
    await page.click("button[type=submit]");
    await page.waitForFunction('document.getElementById("result").textContent !== "-"');
    expect(await page.textContent("#result")).toMatch(/^The service refused the order: /);
    expect(await page.inputValue("#paymentId")).toBe("");
    // The browser logs the 400 it got; nothing else went wrong.
    for (const error of browser.takeConsoleErrors()) expect(error).toMatch(/status of 4\d\d/);
  });

  it("?customer=notjson says what is wrong instead of throwing", async () => {
    const page = await browser.newPage();
    await page.goto(`${checkoutUrl}?customer=notjson`);
    await page.click("button[type=submit]");
    await page.waitForFunction('document.getElementById("result").textContent !== "-"');
    expect(await page.textContent("#result")).toMatch(/customer must be JSON/);
    expect(browser.takeConsoleErrors()).toEqual([]);
  });
});
