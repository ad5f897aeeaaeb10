import { afterEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/store/database.js";
import { createWebhooks, type Webhooks } from "../../src/webhooks/pipeline.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import { postgresWorkNotifications } from "../../src/webhooks/store/postgres-notifications.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import type { WorkNotifications } from "../../src/webhooks/work-notifications.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { waitFor } from "../support/wait-for.js";
import { inboundEvent as event } from "./support/inbound-event.js";
import { TEST_DATABASE_URL, temporaryPostgresSchema } from "./support/test-databases.js";

const silentLogger = { info() {}, warn() {}, error() {} };
/** The longest poll the config allows: with it, only a notification (or a reconnect) finds new work in time. */
const NO_POLLING_MS = 60_000;

interface Replica {
  readonly webhooks: Webhooks;
  readonly notifications: WorkNotifications;
  /** Event ids in the order the in-process handler got them. */
  readonly received: string[];
}

/**
 * A dispatcher whose LISTEN connection goes through a proxy the test controls (its pool goes
 * straight to the database), and a second process's store that inserts events the way another
 * replica's ingest route does: the dispatcher learns of them only from PostgreSQL.
 */
describe.skipIf(!TEST_DATABASE_URL)("dispatcher waiting on PostgreSQL NOTIFY", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(pollIntervalMs: number) {
    if (!TEST_DATABASE_URL) throw new Error("unreachable: the suite is skipped");
    const schema = await temporaryPostgresSchema(TEST_DATABASE_URL);
    cleanups.push(() => schema.cleanup());
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.listen({ host: target.hostname, port: Number(target.port) });
    cleanups.push(() => proxy.close());
    const open = async (): Promise<{ db: Database; store: WebhookStore }> => {
      const db = await openDatabase({ databaseUrl: schema.url, dataDir: "/nonexistent" });
      cleanups.push(() => db.close());
      return { db, store: await openWebhookStore(db) };
    };
    const ingest = await open();
    const dispatching = await open();
    if (dispatching.db.kind !== "postgres") throw new Error("unreachable: a PostgreSQL URL");
    const proxied = new URL(schema.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const notifications = postgresWorkNotifications({
      clientConfig: {
        ...dispatching.db.clientConfig,
        connectionString: proxied.toString(),
        connectionTimeoutMillis: 1_000,
        query_timeout: 1_000,
      },
      heartbeatMs: 200,
      reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
      logger: silentLogger,
    });
    const webhooks = await createWebhooks({
      store: dispatching.store,
      secrets: [],
      sandbox: false,
      notifications,
      tuning: { pollIntervalMs, leaseMs: 60_000, deliveryTimeoutMs: 5_000 },
      logger: silentLogger,
    });
    const received: string[] = [];
    webhooks.on("Transaction.*", (dispatched) => {
      received.push(dispatched.id);
    });
    webhooks.start();
    cleanups.push(() => webhooks.stop());
    const replica: Replica = { webhooks, notifications, received };
    await waitFor(() => notifications.live, { description: "LISTEN in effect" });
    let sequence = 0;
    const insert = async (count: number) => {
      const ids = Array.from({ length: count }, () => `evt-listen-${++sequence}`);
      await Promise.all(ids.map((id) => ingest.store.insertEvent(event(id), Date.now())));
      return ids;
    };
    return { proxy, replica, insert };
  }

  const deliveredOnce = async (replica: Replica, ids: readonly string[], description: string) => {
    await waitFor(() => ids.every((id) => replica.received.includes(id)), { description });
    // The handler ran; its attempt is recorded a moment later.
    const backlog = await waitFor(async () => {
      const current = await replica.webhooks.store.backlog();
      return current.pendingEvents + current.pendingDeliveries === 0 && current;
    });
    expect(backlog.deadLetters).toBe(0);
    const counts = new Map<string, number>();
    for (const id of replica.received) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  };

  it("delivers another process's events on notification, and catches up after the connection is cut", async () => {
    const { proxy, replica, insert } = await setUp(NO_POLLING_MS);
    const first = await insert(5);
    await deliveredOnce(replica, first, "events announced by NOTIFY");

    proxy.stop(); // the LISTEN connection is closed, and reconnects are refused for now
    await waitFor(() => !replica.notifications.live, { description: "the cut noticed" });
    const whileCut = await insert(20);
    expect(replica.received.some((id) => whileCut.includes(id))).toBe(false);
    proxy.start();
    await deliveredOnce(replica, [...first, ...whileCut], "events stored while cut off");

    const after = await insert(5);
    await deliveredOnce(replica, [...first, ...whileCut, ...after], "notifications again");
    expect(replica.received).toHaveLength(30);
  }, 60_000);

  it("notices a silent partition by its heartbeat and catches up once it heals", async () => {
    const { proxy, replica, insert } = await setUp(NO_POLLING_MS);
    proxy.partition();
    await waitFor(() => !replica.notifications.live, { description: "the partition noticed" });
    const during = await insert(10);
    proxy.heal();
    await waitFor(() => replica.notifications.live, { description: "LISTEN back" });
    await deliveredOnce(replica, during, "events stored during the partition");
    const after = await insert(3);
    await deliveredOnce(replica, [...during, ...after], "notifications after the partition");
    expect(replica.received).toHaveLength(13);
  }, 60_000);

  it("keeps delivering by polling while LISTEN cannot reconnect", async () => {
    const { proxy, replica, insert } = await setUp(100);
    proxy.stop();
    await waitFor(() => !replica.notifications.live, { description: "the cut noticed" });
    const ids = await insert(10);
    await deliveredOnce(replica, ids, "events found by the fallback poll");
    expect(replica.notifications.live).toBe(false);
  }, 60_000);
});
