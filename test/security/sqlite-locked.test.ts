import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/sdk/webhook/index.js";
import { type Database, openDatabase } from "../../src/store/database.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import { createWebhookStore } from "../../src/webhooks/store/index.js";
import {
  configFromEnv,
  newOrder,
  type RunningSandbox,
  type RunningService,
  type ShopBackend,
  serviceEnv,
  signToken,
  startSandbox,
  startService,
  startShopBackend,
  trpcClient,
  trpcErrorOf,
} from "../service/support/harness.js";

/**
 * SQLite's equivalent of a database that is down: another process holds the write lock (a
 * backup tool, an operator's shell). Writes wait SQLITE_BUSY_TIMEOUT_MS and then answer 503
 * (tRPC SERVICE_UNAVAILABLE, the webhook route with Retry-After) instead of 500; once the
 * lock is gone the same requests succeed, and the webhook is stored once.
 */
describe("SQLite locked by another writer", () => {
  let sandbox: RunningSandbox;
  let shop: ShopBackend;
  let running: RunningService;
  let database: Database;
  let dataDir: string;
  let locker: BetterSqlite3.Database;

  beforeAll(async () => {
    sandbox = await startSandbox();
    shop = await startShopBackend();
    dataDir = mkdtempSync(join(tmpdir(), "bff-locked-"));
    database = await openDatabase({ dataDir, timeouts: { sqliteBusyMs: 200 } });
    const env = serviceEnv(sandbox, shop, {
      LOG_LEVEL: "silent",
      RECONCILE_INTERVAL_MS: "0",
      WEBHOOK_POLL_INTERVAL_MS: "500",
    });
    running = await startService(configFromEnv(env), { database, modules: [webhooksModule()] });
    locker = new BetterSqlite3(join(dataDir, "portone-bff.sqlite"));
  });
  afterAll(async () => {
    if (locker?.inTransaction) locker.exec("ROLLBACK");
    locker?.close();
    await running?.service.close();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await shop?.app.close();
    await sandbox?.sandbox.close();
  });

  async function postWebhook(id: string) {
    const body = JSON.stringify({ type: "BillingKey.Issued", data: { billingKey: id } });
    const response = await fetch(`${running.url}/webhooks/portone`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(await sign(sandbox.sandbox.webhookSecret, body, { id })),
      },
      body,
    });
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      text: await response.text(),
    };
  }

  it("503 while the lock is held, success once it is released", async () => {
    const alice = trpcClient(running.url, await signToken("locked-alice"));
    const order = newOrder("locked-alice");
    shop.orders.set(order.orderId, order);

    locker.exec("BEGIN IMMEDIATE");
    const refused = await postWebhook("msg_locked_1");
    expect(refused.status).toBe(503);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.text).not.toMatch(/SQLITE|locked|busy/i);
    const prepare = await trpcErrorOf(alice.payment.prepare.mutate({ orderId: order.orderId }));
    expect(prepare).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
    expect(prepare.message).not.toMatch(/SQLITE|locked|busy/i);
    locker.exec("COMMIT");

    expect((await postWebhook("msg_locked_1")).status).toBe(200);
    expect((await postWebhook("msg_locked_1")).text).toContain('"duplicate":true');
    expect(await createWebhookStore(database).getEvent("msg_locked_1")).not.toBeNull();
    const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
    expect(prepared.paymentId).toBeTruthy();
  });
});
