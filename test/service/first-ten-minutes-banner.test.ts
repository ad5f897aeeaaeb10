import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bannerJsonLines, bannerText } from "../../src/cli/banner.js";
import { type RunningService, startFromEnv } from "../../src/main.js";
import { PortOneClient } from "../../src/sdk/index.js";

/**
 * The start-up banner names every URL and, in sandbox mode, the sandbox's own credentials, at
 * every log level but silent; the SDK works with what it prints. Live mode prints no secret.
 */

const started: RunningService[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const running of started.splice(0)) await running.shutdown();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(extra: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), "bff-banner-"));
  dirs.push(dataDir);
  const lines: string[] = [];
  const running = await startFromEnv(
    { PORT: "0", SANDBOX_PORT: "0", INTERNAL_PORT: "0", DATA_DIR: dataDir, ...extra },
    { logStream: { write: (line: string) => void lines.push(line) } },
  );
  started.push(running);
  return { running, output: () => lines.join("") };
}

describe("the start-up banner", () => {
  it("JSON lines: every URL and the sandbox credentials, shown at LOG_LEVEL=error; the SDK works with them", async () => {
    const { running, output } = await start({ LOG_LEVEL: "error" });
    const entries = output()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const urls = entries.find((entry) =>
      String(entry.msg).startsWith("portone-bff is running"),
    ) as {
      url: string;
      trpc: string;
      shop: string;
      internalUrl: string;
      sandbox: { api: string; checkoutPage: string; webhooksTo: string };
    };
    const api = running.service.config.portone.baseUrl;
    expect(urls).toMatchObject({
      url: running.url,
      trpc: `${running.url}/trpc`,
      shop: `${running.url}/`,
      internalUrl: running.service.internalUrl,
      sandbox: {
        api,
        checkoutPage: `${api}/sandbox/checkout`,
        webhooksTo: `${running.url}/webhooks/portone`,
      },
    });
    const { sandboxCredentials } = entries.find((entry) => entry.sandboxCredentials) as {
      sandboxCredentials: {
        apiSecret: string;
        webhookSecret: string;
        storeId: string;
        channelKey: string;
      };
    };
    expect(sandboxCredentials).toEqual({
      apiSecret: running.sandbox?.apiSecret,
      webhookSecret: running.sandbox?.webhookSecret,
      storeId: running.sandbox?.storeId,
      channelKey: running.sandbox?.channelKey,
    });
    // What it printed is enough to use the SDK against the sandbox.
    const client = PortOneClient({
      secret: sandboxCredentials.apiSecret,
      baseUrl: urls.sandbox.api,
      maxRetries: 0,
    });
    const page = await client.payment.getPayments({
      filter: { storeId: sandboxCredentials.storeId },
    });
    expect(Array.isArray(page.items)).toBe(true);
    const wrong = PortOneClient({
      secret: "not-the-secret",
      baseUrl: urls.sandbox.api,
      maxRetries: 0,
    });
    await expect(
      wrong.payment.getPayments({ filter: { storeId: sandboxCredentials.storeId } }),
    ).rejects.toThrow();
  });

  it("pretty form (LOG_FORMAT=pretty): the same URLs and credentials as lines for people", async () => {
    const { running, output } = await start({ LOG_LEVEL: "warn", LOG_FORMAT: "pretty" });
    const text = output();
    const api = running.service.config.portone.baseUrl;
    expect(text).toContain("SANDBOX MODE - no real payments");
    for (const url of [
      `${running.url}/`,
      `${running.url}/trpc`,
      running.service.internalUrl,
      api,
      `${api}/sandbox/checkout`,
    ])
      expect(text).toContain(`  ${url}`);
    expect(text).toContain(`PORTONE_SANDBOX_API_SECRET=${running.sandbox?.apiSecret}`);
    expect(text).toContain(`PORTONE_SANDBOX_WEBHOOK_SECRET=${running.sandbox?.webhookSecret}`);
    expect(text).toContain(`PORTONE_SANDBOX_STORE_ID=${running.sandbox?.storeId}`);
    expect(text).toContain(`PORTONE_SANDBOX_CHANNEL_KEY=${running.sandbox?.channelKey}`);
    // The JSON form is not written as well (the service's own log lines stay JSON on a caller's stream).
    expect(text).not.toContain('"sandboxCredentials"');
  });

  it("LOG_LEVEL=silent prints nothing at all", async () => {
    const { output } = await start({ LOG_LEVEL: "silent" });
    expect(output()).toBe("");
  });

  it("live mode names its URLs and the PortOne API, and no secret (it has none to print)", () => {
    const facts = {
      mode: "live" as const,
      url: "http://127.0.0.1:3000",
      internalUrl: "http://127.0.0.1:3002",
      portone: "https://api.portone.io",
    };
    const json = bannerJsonLines(facts).join("\n");
    const text = bannerText(facts);
    for (const form of [json, text]) {
      expect(form).toContain("LIVE MODE");
      expect(form).toContain("http://127.0.0.1:3000/trpc");
      expect(form).toContain("https://api.portone.io");
      expect(form).not.toMatch(/secret|credential|PORTONE_SANDBOX/i);
    }
  });
});
