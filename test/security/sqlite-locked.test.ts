import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/store/database.js";
import { webhooksModule } from "../../src/webhooks/module.js";
import { createWebhookStore } from "../../src/webhooks/store/index.js";
import { trpcErrorOf } from "../service/support/harness.js";
import { type ServiceStack, startServiceStack } from "../support/service-stack.js";
import { postSignedWebhook } from "../support/signed-webhook.js";

/**
 * SQLite's equivalent of a database that is down: another process holds the write lock (a
 * backup tool, an operator's shell). Writes wait SQLITE_BUSY_TIMEOUT_MS and then answer 503
 * (tRPC SERVICE_UNAVAILABLE, the webhook route with Retry-After) instead of 500; once the
 * lock is gone the same requests succeed, and the webhook is stored once.
 */
describe("SQLite locked by another writer", () => {
  let stack: ServiceStack;
  let database: Database;
  let dataDir: string;
  let locker: BetterSqlite3.Database;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "bff-locked-"));
    database = await openDatabase({ dataDir, timeouts: { sqliteBusyMs: 200 } });
    stack = await startServiceStack({
      env: { LOG_LEVEL: "silent", RECONCILE_INTERVAL_MS: "0", WEBHOOK_POLL_INTERVAL_MS: "500" },
      deps: { database, modules: [webhooksModule()] },
    });
    locker = new BetterSqlite3(join(dataDir, "portone-bff.sqlite"));
  });
  afterAll(async () => {
    if (locker?.inTransaction) locker.exec("ROLLBACK");
    locker?.close();
    await stack?.close();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function postWebhook(id: string) {
    const body = JSON.stringify({ type: "BillingKey.Issued", data: { billingKey: id } });
    const secret = stack.sandbox.sandbox.webhookSecret;
    const response = await postSignedWebhook(stack.running.url, secret, body, id);
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      text: await response.text(),
    };
  }

  it("503 while the lock is held, success once it is released", async () => {
    const alice = await stack.client("locked-alice");
    const order = stack.placeOrder("locked-alice");

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
