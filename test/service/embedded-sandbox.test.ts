import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  EmbeddedSandboxStartError,
  startEmbeddedSandboxThread,
} from "../../src/embedded-sandbox.js";
import { startFromEnv } from "../../src/main.js";
import { checkout } from "./support/harness.js";

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "bff-embedded-sandbox-"));
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The threads' message ports this process holds open: one per running sandbox thread. */
const openPorts = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === "MessagePort").length;

describe("the embedded sandbox in its worker thread", () => {
  it("keeps its state file and credentials across restarts, and leaves nothing open when closed", async () => {
    const persistPath = join(dataDir(), "sandbox-state.json");
    const portsBefore = openPorts();
    const first = await startEmbeddedSandboxThread({ persistPath, host: "127.0.0.1", port: 0 });
    expect(openPorts()).toBe(portsBefore + 1);
    const preRegistered = await fetch(`${first.url}/payments/pay-restart/pre-register`, {
      method: "POST",
      headers: {
        authorization: `PortOne ${first.apiSecret}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ storeId: first.storeId, totalAmount: 1000, currency: "KRW" }),
    });
    expect(preRegistered.ok).toBe(true);
    await first.close();
    expect(openPorts()).toBe(portsBefore);
    expect(existsSync(persistPath)).toBe(true);
    await expect(first.setShopUrl("http://127.0.0.1:1/")).rejects.toThrow(/stopped/);

    const second = await startEmbeddedSandboxThread({ persistPath, host: "127.0.0.1", port: 0 });
    try {
      expect(second).toMatchObject({
        apiSecret: first.apiSecret,
        storeId: first.storeId,
        webhookSecret: first.webhookSecret,
        channelKey: first.channelKey,
      });
      // The checkout still finds the payment pre-registered before the restart.
      const paid = await checkout(second, second, {
        paymentId: "pay-restart",
        orderName: "restart",
        totalAmount: 1000,
        currency: "KRW",
        outcome: "paid",
      });
      expect(paid.code).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it("answers the service's settings calls, and refuses a shop URL that is not http(s)", async () => {
    const sandbox = await startEmbeddedSandboxThread({
      persistPath: join(dataDir(), "sandbox-state.json"),
      host: "127.0.0.1",
      port: 0,
    });
    try {
      await sandbox.setShopUrl("http://127.0.0.1:4321/");
      const form = await (await fetch(`${sandbox.url}/sandbox/checkout`)).text();
      expect(form).toContain('href="http://127.0.0.1:4321/"');
      await expect(sandbox.setShopUrl("javascript:alert(1)")).rejects.toThrow(/http\(s\) URL/);
      await sandbox.setWebhookEndpoints([{ url: "http://127.0.0.1:9/webhooks/portone" }]);
      const endpoints = await (await fetch(`${sandbox.url}/sandbox/webhook-endpoints`)).json();
      expect(JSON.stringify(endpoints)).toContain("http://127.0.0.1:9/webhooks/portone");
    } finally {
      await sandbox.close();
    }
  });

  it("a sandbox port in use is a clear start-up error, and no thread is left behind", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const portsBefore = openPorts();
    try {
      const failure = await startEmbeddedSandboxThread({
        persistPath: join(dataDir(), "sandbox-state.json"),
        host: "127.0.0.1",
        port: address.port,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EmbeddedSandboxStartError);
      expect((failure as Error).message).toMatch(
        /^the embedded sandbox could not start: .*EADDRINUSE/,
      );
      expect(openPorts()).toBe(portsBefore);

      const refusal = await startFromEnv({
        PORT: "0",
        INTERNAL_PORT: "0",
        SANDBOX_PORT: String(address.port),
        DATA_DIR: dataDir(),
        LOG_LEVEL: "silent",
      }).catch((error: unknown) => error);
      expect((refusal as Error).message).toMatch(/embedded sandbox could not start.*EADDRINUSE/);
      expect(openPorts()).toBe(portsBefore);
    } finally {
      blocker.close();
    }
  });
});
