import { randomUUID } from "node:crypto";
import { PortOneClient } from "@portone/server-sdk";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createSandbox, type Sandbox } from "../../../src/sandbox/index.js";
import { WebhookReceiver } from "../../sandbox/support/webhook-receiver.js";
import { lazyHandle } from "../../support/lazy-handle.js";
import { type BrowserSession, launchChromium } from "./chromium.js";
import { openMerchantPage, SdkPageServer } from "./sdk-page-server.js";

/** A sandbox over a real socket, its webhook receiver, the plain merchant page and Chromium. */
export interface BrowserFixture {
  sandbox: Sandbox;
  sandboxUrl: string;
  receiver: WebhookReceiver;
  pages: SdkPageServer;
  browser: BrowserSession;
  /** The official @portone/server-sdk, pointed at the sandbox. */
  portone: ReturnType<typeof PortOneClient>;
  /** Webhook types received so far whose data matches `match` (after flushing deliveries). */
  webhookTypes(match: Record<string, unknown>): Promise<(string | undefined)[]>;
  /** A new tab on the merchant page (`kind`: how it loads the SDK, "npm" or "cdn"). */
  openPage(kind?: string): Promise<Page>;
  /** requestPayment parameters for a ₩12,000 card payment of a new id, with `extra` on top. */
  paymentRequest(extra?: Record<string, unknown>): Record<string, unknown> & { paymentId: string };
  close(): Promise<void>;
}

/** requestPayment parameters for a ₩12,000 card payment of a new id, with `extra` on top. */
export function mugPaymentRequest(
  sandbox: Pick<Sandbox, "storeId" | "channelKey">,
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { paymentId: string } {
  return {
    storeId: sandbox.storeId,
    channelKey: sandbox.channelKey,
    paymentId: `payment-${randomUUID()}`,
    orderName: "Sandbox mug",
    totalAmount: 12_000,
    currency: "KRW",
    payMethod: "CARD",
    ...extra,
  };
}

export async function startBrowserFixture(
  options: { phone?: boolean } = {},
): Promise<BrowserFixture> {
  const receiver = await new WebhookReceiver().start();
  const sandbox = await createSandbox({ webhookEndpoints: [{ url: receiver.url }] });
  const sandboxUrl = await sandbox.listen();
  const pages = await new SdkPageServer(sandboxUrl).start();
  const browser = await launchChromium({ phone: options.phone ?? false });
  return {
    sandbox,
    sandboxUrl,
    receiver,
    pages,
    browser,
    portone: PortOneClient({
      secret: sandbox.apiSecret,
      baseUrl: sandboxUrl,
      storeId: sandbox.storeId,
    }),
    async webhookTypes(match) {
      await sandbox.flushWebhooks();
      return receiver
        .bodies()
        .filter((body) => Object.entries(match).every(([key, value]) => body.data?.[key] === value))
        .map((body) => body.type);
    },
    async openPage(kind) {
      const page = await browser.newPage();
      await openMerchantPage(page, pages, kind);
      return page;
    },
    paymentRequest: (extra) => mugPaymentRequest(sandbox, extra),
    async close() {
      await browser.close();
      await pages.close();
      await sandbox.close();
      await receiver.close();
    },
  };
}

/**
 * A fixture for the enclosing describe block: started in `beforeAll`, closed in `afterAll`,
 * and after every test the page's console must have stayed free of errors. The handle reads
 * the started fixture, so use it inside hooks and tests only.
 */
export function useBrowserFixture(options: { phone?: boolean } = {}): BrowserFixture {
  let started: BrowserFixture | undefined;
  beforeAll(async () => {
    started = await startBrowserFixture(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  afterEach(() => {
    expect(current().browser.takeConsoleErrors()).toEqual([]);
  });
  const current = (): BrowserFixture => {
    if (!started)
      throw new Error("the browser fixture is used outside its suite's hooks and tests");
    return started;
  };
  return lazyHandle(current);
}
