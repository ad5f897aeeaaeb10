import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import {
  createSandboxWorker,
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

  it("a sandbox thread that dies stops the service, which says why (fail closed)", async () => {
    let thread: Worker | undefined;
    const lines: string[] = [];
    const running = await startFromEnv(
      { PORT: "0", INTERNAL_PORT: "0", SANDBOX_PORT: "0", DATA_DIR: dataDir(), LOG_LEVEL: "info" },
      {
        logStream: new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
        startSandboxThread: (options) => {
          thread = createSandboxWorker(options);
          return startEmbeddedSandboxThread(options, thread);
        },
      },
    );
    expect((await fetch(`${running.url}/`)).ok).toBe(true);
    await thread?.terminate();
    const failure = await running.failed;
    expect(failure.message).toMatch(
      /^the embedded sandbox stopped unexpectedly \(thread exit code/,
    );
    // Stopped, not serving payments against a sandbox that is gone.
    await expect(fetch(`${running.url}/`)).rejects.toThrow();
    const fatal = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 60);
    expect(fatal?.msg).toBe("the embedded sandbox stopped unexpectedly: stopping the service");
  });

  it("an uncaught error in the thread is reported as its crash, not thrown into the service", async () => {
    const thread = fakeSandboxThread("setTimeout(() => { throw new Error('sandbox bug'); }, 20);");
    const sandbox = await startEmbeddedSandboxThread(threadOptions(), thread);
    await expect(sandbox.crashed).resolves.toEqual({ exitCode: 1, error: "sandbox bug" });
    await expect(sandbox.setShopUrl("http://127.0.0.1:1/")).rejects.toThrow(/stopped/);
    await sandbox.close();
  });

  it("a closed sandbox never counts as crashed, and close ends a thread that does not answer", async () => {
    const deaf = fakeSandboxThread("setInterval(() => {}, 1000);");
    const sandbox = await startEmbeddedSandboxThread(threadOptions(), deaf);
    await sandbox.close();
    expect(deaf.threadId).toBe(-1);
    const settled = await Promise.race([
      sandbox.crashed.then(() => "crashed"),
      new Promise((resolve) => setImmediate(() => resolve("still closed"))),
    ]);
    expect(settled).toBe("still closed");
  }, 15_000);
});

const threadOptions = () => ({
  persistPath: join(dataDir(), "sandbox-state.json"),
  host: "127.0.0.1",
  port: 0,
});

/** A thread that says it is ready as the sandbox's would, then runs `then`; it ignores commands. */
function fakeSandboxThread(then: string): Worker {
  const ready = {
    type: "ready",
    url: "http://127.0.0.1:9",
    credentials: { apiSecret: "s", storeId: "store-x", webhookSecret: "w", channelKey: "c" },
  };
  return new Worker(
    `require("node:worker_threads").parentPort.postMessage(${JSON.stringify(ready)}); ${then}`,
    { eval: true },
  );
}
