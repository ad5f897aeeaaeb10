import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { createWebhookStore } from "../../src/webhooks/store/index.js";
import { type ServiceDependencies, startServiceDependencies } from "../support/service-stack.js";
import { postSignedWebhook } from "../support/signed-webhook.js";
import { waitFor } from "../support/wait-for.js";
import { type ServiceProcess, startServiceProcess } from "./support/service-process.js";
import { randomSecret, SubscriberServer } from "./support/subscriber-server.js";
import { temporarySqlite } from "./support/test-databases.js";

/**
 * The service is killed with SIGKILL while deliveries are pending and webhooks are arriving.
 * Every webhook it acknowledged with a 2xx must reach the subscriber after a restart.
 */
describe("crash safety (SQLite, service as a child process)", () => {
  let dependencies: ServiceDependencies;
  let subscriber: SubscriberServer;
  const sqlite = temporarySqlite();
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    dependencies = await startServiceDependencies();
    subscriber = new SubscriberServer(randomSecret());
    await subscriber.listen();
  });
  afterAll(async () => {
    for (const running of processes) await running.crash();
    await subscriber?.close();
    await dependencies?.close();
    sqlite.cleanup();
  });

  function env(): Record<string, string> {
    const base = dependencies.env({
      DATA_DIR: sqlite.dataDir,
      LOG_LEVEL: "info",
      WEBHOOK_SUBSCRIBERS: JSON.stringify([{ url: subscriber.url, secret: subscriber.secret }]),
      WEBHOOK_RETRY_BASE_MS: "100",
      WEBHOOK_RETRY_MAX_MS: "400",
      WEBHOOK_MAX_ATTEMPTS: "100",
      WEBHOOK_DELIVERY_TIMEOUT_MS: "1000",
      WEBHOOK_LEASE_MS: "2000",
      WEBHOOK_POLL_INTERVAL_MS: "50",
      RECONCILE_INTERVAL_MS: "0",
    });
    return base;
  }

  /** Posts one signed webhook; resolves to its id when acknowledged with 2xx, else null. */
  async function deliver(url: string, id: string, index: number): Promise<string | null> {
    const body = JSON.stringify(
      index % 2 === 0
        ? {
            type: "BillingKey.Issued",
            timestamp: new Date().toISOString(),
            data: { storeId: "s", billingKey: `bk-${index}` },
          }
        : {
            type: "Transaction.Paid",
            timestamp: new Date().toISOString(),
            data: { storeId: "s", paymentId: `unknown-${index}`, transactionId: "t" },
          },
    );
    try {
      const secret = dependencies.sandbox.sandbox.webhookSecret;
      const response = await postSignedWebhook(url, secret, body, id);
      return response.status >= 200 && response.status < 300 ? id : null;
    } catch {
      return null;
    }
  }

  it("delivers every acknowledged webhook after a SIGKILL and a restart", async () => {
    // The subscriber is failing, so deliveries pile up as pending retries; some requests
    // are held open so that attempts are in flight at the moment of the kill.
    subscriber.mode = "failing";
    subscriber.delayMs = 300;
    const first = await startServiceProcess(env());
    processes.push(first);

    const acknowledged: string[] = [];
    let sent = 0;
    let crashed = false;
    const senders = Array.from({ length: 4 }, async (_, lane) => {
      while (!crashed && sent < 400) {
        const index = sent++;
        const id = await deliver(first.url, `msg_crash_${lane}_${index}`, index);
        if (id) acknowledged.push(id);
      }
    });
    await waitFor(() => subscriber.requests.length >= 10, {
      timeoutMs: 60_000,
      description: "some deliveries attempted",
    });
    await waitFor(() => acknowledged.length >= 40, {
      timeoutMs: 60_000,
      description: "webhooks acknowledged",
    });
    // Crash while the senders are still posting.
    await first.crash();
    const crashedAt = Date.now();
    crashed = true;
    await Promise.all(senders);
    expect(subscriber.accepted).toEqual([]);

    subscriber.mode = "up";
    subscriber.delayMs = 0;
    const second = await startServiceProcess(env());
    processes.push(second);
    // A duplicate of an acknowledged webhook after the restart is still recognised.
    const again = acknowledged[0] as string;
    expect(await deliver(second.url, again, 0)).toBe(again);

    await waitFor(() => acknowledged.every((id) => subscriber.acceptedFor(id).length > 0), {
      timeoutMs: 60_000,
      description: "every acknowledged webhook delivered",
    });
    expect(subscriber.refused).toEqual([]);
    // At least once: a second copy is only allowed for an attempt that was in flight when
    // the process died (the subscriber took it, the dead process never heard back).
    for (const id of acknowledged) {
      const copies = subscriber.acceptedFor(id);
      if (copies.length === 1) continue;
      expect(copies, `deliveries of ${id}`).toHaveLength(2);
      const [firstCopy] = copies;
      const inFlightAtCrash = subscriber.requests.some(
        (request) =>
          request.webhookId === id &&
          request.attempt === firstCopy?.attempt &&
          request.startedAt <= crashedAt,
      );
      expect(inFlightAtCrash, `${id} delivered twice without a crash in between`).toBe(true);
    }
    // Beyond what was acknowledged: every event the crashed process had stored (some of them
    // perhaps without its 2xx going out) reaches the subscriber too, and nothing is left over.
    const db = await openDatabase({ dataDir: sqlite.dataDir });
    try {
      const store = createWebhookStore(db);
      await waitFor(
        async () => {
          const backlog = await store.backlog();
          return backlog.pendingEvents === 0 && backlog.pendingDeliveries === 0;
        },
        { timeoutMs: 60_000, description: "inbox and outbox drained" },
      );
      const deliveries = await store.listDeliveries({ limit: 10_000 });
      expect(deliveries.every((delivery) => delivery.state === "delivered")).toBe(true);
      expect(deliveries.length).toBeGreaterThanOrEqual(acknowledged.length);
      for (const delivery of deliveries) {
        expect(subscriber.acceptedFor(delivery.eventId).length).toBeGreaterThan(0);
      }
    } finally {
      await db.close();
    }
    await second.stop();
  }, 150_000);
});
