import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

/**
 * A plain merchant page on an origin of its own, with no demo code: it loads the unmodified
 * `@portone/browser-sdk` ESM build, flips it to the sandbox with the package's one-line switch,
 * and calls whatever request* the test asks for when its button is clicked (a real click, so
 * popups are allowed). `/cdn` does the same with a script tag instead of the npm package.
 */
export class SdkPageServer {
  private server: Server | undefined;
  url = "";

  constructor(private readonly sandboxUrl: string) {}

  async start(): Promise<this> {
    const sdkPath = fileURLToPath(import.meta.resolve("@portone/browser-sdk/v2"));
    const sdkSource = await readFile(sdkPath, "utf8");
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? "/", "http://page").pathname;
      const send = (type: string, body: string, status = 200) => {
        response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
        response.end(body);
      };
      if (path === "/sdk/v2.js") return send("text/javascript; charset=utf-8", sdkSource);
      if (path === "/npm") return send("text/html; charset=utf-8", this.page("npm"));
      if (path === "/cdn") return send("text/html; charset=utf-8", this.page("cdn"));
      if (path === "/return") return send("text/html; charset=utf-8", returnPage);
      return send("text/plain", "not found", 404);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  private page(kind: "npm" | "cdn"): string {
    const scriptUrl = JSON.stringify(`${this.sandboxUrl}/v2/browser-sdk.js`);
    const setup =
      kind === "npm"
        ? `import * as PortOne from "/sdk/v2.js";
// The one-line switch: the npm package loads its script from the sandbox instead of PortOne's CDN.
PortOne.__INTERNAL__setPortOneSdkUrl(${scriptUrl});
const sdk = PortOne;
const isPortOneError = (error) => PortOne.isPortOneError(error);
const errorClasses = ["PaymentError", "IssueBillingKeyError", "IssueBillingKeyAndPayError",
  "IdentityVerificationError", "LoadPaymentUIError", "LoadIssueBillingKeyUIError"];
const errorClassOf = (error) => errorClasses.find((name) => error instanceof PortOne[name]) ?? null;`
        : `const sdk = window.PortOne;
const isPortOneError = (error) => typeof error?.__portOneErrorType === "string";
const errorClassOf = () => null;`;
    const head = kind === "cdn" ? `<script src=${scriptUrl}></script>` : "";
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plain merchant page (${kind})</title>
<link rel="icon" href="data:,">${head}</head>
<body><h1>Plain merchant page</h1><button id="start" type="button">Start</button><pre id="out"></pre>
<script type="module">
${setup}
document.getElementById("start").addEventListener("click", () => {
  const { method, request } = window.pendingCall;
  sdk[method](request).then(
    (value) => { window.outcome = { resolved: value ?? null }; },
    (error) => {
      window.outcome = {
        rejected: { ...error, message: error.message, isPortOneError: isPortOneError(error), errorClass: errorClassOf(error) },
      };
    },
  );
});
window.ready = true;
</script></body></html>`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const returnPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Returned</title>
<link rel="icon" href="data:,"></head><body><h1>Back at the merchant</h1></body></html>`;

export type CallOutcome =
  | { resolved: Record<string, unknown> | null }
  | {
      rejected: Record<string, unknown> & {
        message: string;
        isPortOneError: boolean;
        /** The npm package's error class the error is an `instanceof` (null on /cdn). */
        errorClass: string | null;
      };
    };

/** Opens `/npm` (or `/cdn`) and waits until the SDK is ready for a call. */
export async function openMerchantPage(page: Page, pageServer: SdkPageServer, kind = "npm") {
  await page.goto(`${pageServer.url}/${kind}`);
  await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
}

/** Clicks the page's button, which calls `PortOne[method](request)`. */
export async function startCall(
  page: Page,
  method: string,
  request: Record<string, unknown> | null,
) {
  await page.evaluate(
    ([m, r]) => {
      const w = globalThis as unknown as { pendingCall: unknown; outcome: unknown };
      w.pendingCall = { method: m, request: r };
      w.outcome = undefined;
    },
    [method, request] as const,
  );
  await page.click("#start");
}

export async function callOutcome(page: Page): Promise<CallOutcome> {
  await page.waitForFunction(
    () => (globalThis as unknown as { outcome?: unknown }).outcome !== undefined,
  );
  return page.evaluate(() => (globalThis as unknown as { outcome: CallOutcome }).outcome);
}
