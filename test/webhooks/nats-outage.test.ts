import { existsSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhooksModule } from "../../src/webhooks/module.js";
import type { Webhooks } from "../../src/webhooks/pipeline.js";
import { useServiceStack } from "../support/service-stack.js";
import { postSignedWebhook } from "../support/signed-webhook.js";
import { waitFor } from "../support/wait-for.js";
import {
  NATS_SERVER_BINARY,
  OwnNatsServer,
  readStream,
  streamMessageCount,
  uniqueStream,
} from "./support/nats.js";

const haveBinary = existsSync(NATS_SERVER_BINARY);
if (!haveBinary) console.warn(`${NATS_SERVER_BINARY} is missing: skipping the NATS outage test.`);

/**
 * NATS goes away in the middle of a burst (SIGKILL of a nats-server this test started on its own
 * port) and comes back: the events wait in the outbox, /readyz and /metrics say so, and after
 * the restart every event reaches the stream exactly once, without anyone stepping in.
 */
describe.skipIf(!haveBinary)("NATS down during a burst, then back", () => {
  const { stream, prefix } = uniqueStream("outage");
  const nats = new OwnNatsServer();
  let webhooks: Webhooks | undefined;
  let nc: NatsConnection | undefined;

  // Registered before the stack, so that vitest runs this afterAll after the service stopped.
  beforeAll(async () => {
    await nats.start();
  });
  afterAll(async () => {
    await nc?.close();
    await nats.dispose();
  });

  // A function: the server's port is known once it started.
  const stack = useServiceStack(async () => ({
    env: {
      LOG_LEVEL: "warn",
      // Few, quick attempts: deliveries run out of them while NATS is down and become dead
      // letters, which the reconnection must bring back by itself.
      WEBHOOK_MAX_ATTEMPTS: "3",
      WEBHOOK_RETRY_BASE_MS: "50",
      WEBHOOK_RETRY_MAX_MS: "200",
      WEBHOOK_LEASE_MS: "3000",
      WEBHOOK_DELIVERY_TIMEOUT_MS: "1000",
      WEBHOOK_POLL_INTERVAL_MS: "25",
      RECONCILE_INTERVAL_MS: "0",
      NATS_URL: nats.url,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: prefix,
      NATS_TIMEOUT_MS: "1000",
    },
    deps: { modules: [webhooksModule({ configure: (created) => (webhooks = created) })] },
    shop: false,
  }));

  async function post(id: string, index: number): Promise<number> {
    const body = JSON.stringify({
      type: "BillingKey.Issued",
      timestamp: new Date().toISOString(),
      data: { storeId: "store-1", billingKey: `bk-${index}` },
    });
    const secret = stack.sandbox.sandbox.webhookSecret;
    return (await postSignedWebhook(stack.running.url, secret, body, id)).status;
  }

  async function readiness(): Promise<{ status: number; nats: string | undefined }> {
    const response = await fetch(`${stack.running.url}/readyz`);
    const body = (await response.json()) as { checks: Record<string, string> };
    return { status: response.status, nats: body.checks.nats };
  }

  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${stack.running.internalUrl}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? Number.NaN);
  };

  it("keeps every event in the outbox and delivers each once when NATS is back", async () => {
    const run = Date.now();
    const ids = Array.from({ length: 60 }, (_, i) => `msg_outage_${run}_${i}`);
    expect(await readiness()).toEqual({ status: 200, nats: "ok" });

    // The first third while NATS is up, then it dies while the rest keeps arriving.
    const statuses = await Promise.all(ids.slice(0, 20).map((id, i) => post(id, i)));
    await nats.kill();
    statuses.push(...(await Promise.all(ids.slice(20).map((id, i) => post(id, i + 20)))));
    expect(statuses.every((status) => status === 200)).toBe(true);

    await waitFor(async () => (await readiness()).nats === "failing", {
      description: "readyz reports NATS failing",
    });
    expect((await readiness()).status).toBe(503);
    expect(
      await metric(new RegExp(`portone_bff_nats_connected\\{stream="${stream}"\\} (\\d+)`)),
    ).toBe(0);
    const store = webhooks?.store;
    if (!store) throw new Error("webhooks pipeline not created");
    const subscriberId = `nats:${stream}`;
    // With three attempts the waiting deliveries turn into dead letters; none is lost.
    await waitFor(
      async () => {
        const dead = await store.listDeliveries({ subscriberId, state: "dead", limit: 1_000 });
        return dead.length > 0;
      },
      { description: "deliveries dead while NATS is down" },
    );
    const notDelivered = await store.listDeliveries({ subscriberId, limit: 1_000 });
    expect(notDelivered.filter((d) => d.state !== "delivered").length).toBeGreaterThan(0);
    expect(await metric(/^portone_bff_webhook_dead_letters (\d+)/m)).toBeGreaterThan(0);

    await nats.start(); // same port, same storage directory
    nc = await connect({ servers: nats.url, timeout: 3_000 });
    await waitFor(
      async () => (await streamMessageCount(nc as NatsConnection, stream)) >= ids.length,
      { description: "every event on the stream", timeoutMs: 30_000 },
    );
    await waitFor(
      async () => {
        const deliveries = await store.listDeliveries({ subscriberId, limit: 1_000 });
        return deliveries.length === ids.length && deliveries.every((d) => d.state === "delivered");
      },
      { description: "every delivery recorded as delivered" },
    );
    const messages = await readStream(nc, stream);
    expect(messages).toHaveLength(ids.length);
    expect(messages.map((m) => m.msgId).sort()).toEqual([...ids].sort());
    expect(await readiness()).toEqual({ status: 200, nats: "ok" });
    expect(
      await metric(new RegExp(`portone_bff_nats_connected\\{stream="${stream}"\\} (\\d+)`)),
    ).toBe(1);
    expect(await metric(/^portone_bff_webhook_dead_letters (\d+)/m)).toBe(0);
  }, 90_000);
});
