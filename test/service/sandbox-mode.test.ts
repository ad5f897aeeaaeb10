import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startFromEnv } from "../../src/main.js";
import { checkout, trpcClient } from "./support/harness.js";

let running: RunningService;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "bff-sandbox-mode-"));
  running = await startFromEnv({
    HOST: "127.0.0.1",
    PORT: "0",
    SANDBOX_PORT: "0",
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    WEBHOOK_POLL_INTERVAL_MS: "50",
  });
});

afterAll(async () => {
  await running?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not reached within 20 s");
}

describe("sandbox mode (no PORTONE_API_SECRET)", () => {
  it("serves anonymous callers with the demo catalog against the embedded sandbox", async () => {
    expect(running.sandbox).toBeDefined();
    const anonymous = trpcClient(running.url);
    const prepared = await anonymous.payment.prepare.mutate({ orderId: `coffee-${Date.now()}` });
    expect(prepared).toMatchObject({ totalAmount: 4500, currency: "KRW" });
    expect(prepared.storeId).toBe(running.sandbox?.storeId);
    const sandboxUrl = running.service.context.config.portone.baseUrl;
    await checkout(
      { sandbox: running.sandbox as NonNullable<typeof running.sandbox>, url: sandboxUrl },
      prepared,
      {
        ...prepared,
        outcome: "paid",
      },
    );

    // Nobody calls payment.complete: the sandbox's signed webhook reaches /webhooks/portone
    // and the dispatcher syncs the payment.
    const record = await waitFor(
      () => running.service.context.records.getPaymentRecord(prepared.paymentId),
      (value) => value?.status === "PAID",
    );
    expect(record?.status).toBe("PAID");
    const view = await anonymous.payment.get.query({
      paymentId: prepared.paymentId,
      guestToken: prepared.guestToken ?? undefined,
    });
    expect(view.status).toBe("PAID");
  });

  it("is ready once the store and the sandbox answer", async () => {
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
