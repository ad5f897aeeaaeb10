import { PortOneClient } from "@portone/server-sdk";
import { createSandbox, type Sandbox } from "../../../src/sandbox/index.js";
import { WebhookReceiver } from "../../sandbox/support/webhook-receiver.js";
import { type BrowserSession, launchChromium } from "./chromium.js";
import { SdkPageServer } from "./sdk-page-server.js";

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
  close(): Promise<void>;
}

export async function startBrowserFixture(): Promise<BrowserFixture> {
  const receiver = await new WebhookReceiver().start();
  const sandbox = await createSandbox({ webhookEndpoints: [{ url: receiver.url }] });
  const sandboxUrl = await sandbox.listen();
  const pages = await new SdkPageServer(sandboxUrl).start();
  const browser = await launchChromium();
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
    async close() {
      await browser.close();
      await pages.close();
      await sandbox.close();
      await receiver.close();
    },
  };
}
