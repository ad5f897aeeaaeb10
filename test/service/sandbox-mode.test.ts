import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startFromEnv } from "../../src/main.js";
import { waitFor } from "../support/wait-for.js";
import {
  checkout,
  configFromEnv,
  serviceEnv,
  startSandbox,
  startService,
  trpcClient,
} from "./support/harness.js";

let running: RunningService;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "bff-sandbox-mode-"));
  running = await startFromEnv({
    HOST: "127.0.0.1",
    PORT: "0",
    SANDBOX_PORT: "0",
    INTERNAL_PORT: "0",
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    WEBHOOK_POLL_INTERVAL_MS: "50",
  });
});

afterAll(async () => {
  await running?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("sandbox mode (no PORTONE_API_SECRET)", () => {
  it("serves anonymous callers with the demo catalog against the embedded sandbox", async () => {
    expect(running.sandbox).toBeDefined();
    const anonymous = trpcClient(running.url);
    const prepared = await anonymous.payment.prepare.mutate({ orderId: `coffee-${Date.now()}` });
    expect(prepared).toMatchObject({ totalAmount: 4500, currency: "KRW" });
    expect(prepared.storeId).toBe(running.sandbox?.storeId);
    const sandboxUrl = running.service.config.portone.baseUrl;
    await checkout({ url: sandboxUrl }, prepared, {
      ...prepared,
      outcome: "paid",
    });

    // Nobody calls payment.complete: the sandbox's signed webhook reaches /webhooks/portone
    // and the dispatcher syncs the payment.
    const record = await waitFor(
      async () => {
        const value = await running.service.records.getPaymentRecord(prepared.paymentId);
        return value?.status === "PAID" && value;
      },
      { intervalMs: 100, description: "the webhook to mark the payment PAID" },
    );
    expect(record?.status).toBe("PAID");
    const view = await anonymous.payment.get.query({
      paymentId: prepared.paymentId,
      guestToken: prepared.guestToken ?? undefined,
    });
    expect(view.status).toBe("PAID");
  });

  it("links the sandbox's developer form to the demo shop it serves", async () => {
    const form = await (
      await fetch(`${running.service.config.portone.baseUrl}/sandbox/checkout`)
    ).text();
    expect(form).toContain(`id="shop-link" href="${running.url}/"`);
    expect((await fetch(`${running.url}/`)).status).toBe(200);
  });

  it("is ready once the store and the sandbox answer", async () => {
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});

describe("sandbox-only public routes", () => {
  it("are served in sandbox mode and absent in live mode", async () => {
    const sandboxRoutes = [
      async (app: FastifyInstance) => {
        app.get("/demo-only", async () => ({ demo: true }));
      },
    ];
    const portone = await startSandbox();
    const config = configFromEnv(serviceEnv(portone, undefined, { LOG_LEVEL: "warn" }));
    const live = await startService(config, { sandboxRoutes });
    const sandboxed = await startService({ ...config, sandboxMode: true }, { sandboxRoutes });
    try {
      expect((await fetch(`${live.url}/demo-only`)).status).toBe(404);
      const served = await fetch(`${sandboxed.url}/demo-only`);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual({ demo: true });
    } finally {
      await live.service.close();
      await sandboxed.service.close();
      await portone.sandbox.close();
    }
  });
});
