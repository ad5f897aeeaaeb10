import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildShop } from "../../scripts/shop/build-shop.js";
import { type RunningService as RunningMain, startFromEnv } from "../../src/main.js";
import { shopPlugin } from "../../src/shop/shop-plugin.js";
import {
  configFromEnv,
  type RunningSandbox,
  type RunningService,
  serviceEnv,
  startSandbox,
  startService,
} from "../service/support/harness.js";

/** The shop's pages and files, and what the service answers for each outside sandbox mode. */
const SHOP_PATHS = ["/", "/shop/config.json", "/shop/shop.js", "/shop/shop.css"];

describe("the demo shop in sandbox mode", () => {
  let running: RunningMain;
  let dataDir: string;

  beforeAll(async () => {
    await buildShop();
    dataDir = mkdtempSync(join(tmpdir(), "bff-shop-serving-"));
    running = await startFromEnv({
      HOST: "127.0.0.1",
      PORT: "0",
      SANDBOX_PORT: "0",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    });
  });

  afterAll(async () => {
    await running?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the page at / with its own policy: self plus the sandbox, no inline code", async () => {
    const response = await fetch(`${running.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/shop/shop.js"></script>');
    // No inline script or style, so the policy needs no 'unsafe-inline'.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);

    const sandboxOrigin = new URL(running.service.config.portone.baseUrl).origin;
    const policy = response.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(
      policy.split(";").map((directive) => {
        const [name = "", ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'", sandboxOrigin],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "connect-src": ["'self'", sandboxOrigin],
      "frame-src": [sandboxOrigin],
      "form-action": ["'self'"],
      "base-uri": ["'none'"],
      "frame-ancestors": ["'none'"],
    });
    expect(policy).not.toContain("unsafe");
    expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin-allow-popups");
  });

  it("leaves the service's own JSON-only policy on every other route", async () => {
    const response = await fetch(`${running.url}/healthz`);
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
  });

  it("tells the page the sandbox's URL and the catalog, and nothing secret", async () => {
    const response = await fetch(`${running.url}/shop/config.json`);
    expect(response.status).toBe(200);
    const config = (await response.json()) as Record<string, unknown>;
    expect(config).toEqual({
      sandboxUrl: new URL(running.service.config.portone.baseUrl).origin,
      products: [
        { id: "coffee", name: "Drip coffee beans 200 g", price: 4_500, currency: "KRW" },
        { id: "tshirt", name: "Organic cotton T-shirt", price: 25_000, currency: "KRW" },
        { id: "sneakers", name: "Canvas sneakers", price: 89_000, currency: "KRW" },
      ],
    });
    const { apiSecret, webhookSecrets } = running.service.config.portone;
    for (const path of SHOP_PATHS) {
      const body = await (await fetch(`${running.url}${path}`)).text();
      expect(body).not.toContain(apiSecret);
      for (const secret of webhookSecrets) expect(body).not.toContain(secret);
    }
  });

  it("serves the bundle with the browser SDK inside, and nothing beyond its fixed files", async () => {
    const script = await fetch(`${running.url}/shop/shop.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const code = await script.text();
    // @portone/browser-sdk's loader, with its default CDN URL the page replaces at run time.
    expect(code).toContain("https://cdn.portone.io/v2/browser-sdk.js");
    const styles = await fetch(`${running.url}/shop/shop.css`);
    expect(styles.headers.get("content-type")).toBe("text/css; charset=utf-8");

    for (const path of [
      "/shop/",
      "/shop/index.html",
      "/shop/../package.json",
      "/shop/%2e%2e/package.json",
      "/shop/shop.js/../../package.json",
      "/index.html",
    ]) {
      const response = await fetch(`${running.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });
});

describe("the demo shop outside sandbox mode", () => {
  let sandbox: RunningSandbox;
  let service: RunningService;

  beforeAll(async () => {
    sandbox = await startSandbox();
    service = await startService(configFromEnv(serviceEnv(sandbox, undefined)));
  });

  afterAll(async () => {
    await service?.service.close();
    await sandbox?.sandbox.close();
  });

  it("answers 404 at / and at every shop file", async () => {
    expect(service.service.config.sandboxMode).toBe(false);
    for (const path of SHOP_PATHS) {
      const response = await fetch(`${service.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.text()).not.toContain("Demo shop");
    }
  });
});

describe("the shop plugin without a built bundle", () => {
  it("answers 503 saying how to build it, instead of failing the whole service", async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), "bff-shop-unbuilt-"));
    const app = Fastify({ logger: false });
    try {
      await app.register(shopPlugin, { sandboxUrl: "http://127.0.0.1:3001", publicDir: emptyDir });
      const page = await app.inject({ method: "GET", url: "/" });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain("npm run build");
      // The config still answers: it does not depend on the bundle.
      const config = await app.inject({ method: "GET", url: "/shop/config.json" });
      expect(config.statusCode).toBe(200);
    } finally {
      await app.close();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
