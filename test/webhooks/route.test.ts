import { Writable } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/sdk/webhook/index.js";
import { createWebhookMetrics } from "../../src/webhooks/metrics.js";
import { webhookRoute } from "../../src/webhooks/route.js";
import { openWebhookStore } from "../../src/webhooks/store/index.js";
import type { WebhookStore } from "../../src/webhooks/store/webhook-store.js";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "./support/test-databases.js";

const SECRET = Buffer.from("route-test-secret-0123456789abcdef").toString("base64");
const OLD_SECRET = Buffer.from("previous-secret-before-rotation!!").toString("base64");

function paidBody(paymentId: string): string {
  return JSON.stringify({
    type: "Transaction.Paid",
    timestamp: "2024-04-25T10:00:00.000Z",
    data: { storeId: "store-1", paymentId, transactionId: "tx-1" },
  });
}

describe.each(DATABASE_KINDS)("POST /webhooks/portone on $kind", ({ kind, skip }) => {
  let database: TestDatabase;
  let store: WebhookStore;
  let app: FastifyInstance;
  let baseUrl: string;
  let registry: Registry;
  const logLines: Record<string, unknown>[] = [];
  let stored = 0;
  let counter = 0;
  const newId = () => `msg_route_${++counter}_${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    if (skip) return;
    database = await openTestDatabase(kind);
    store = await openWebhookStore(database.db);
    registry = new Registry();
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    app = Fastify({
      loggerInstance: pino({ level: "info" }, logStream),
    }) as unknown as FastifyInstance;
    await app.register(webhookRoute, {
      secrets: [SECRET, OLD_SECRET],
      store,
      metrics: createWebhookMetrics(registry, store),
      bodyLimitBytes: 4 * 1024,
      onEventStored: () => {
        stored++;
      },
    });
    // A sibling route: the webhook plugin's raw-body parser must not leak out to it.
    app.post("/echo", async (request) => ({ parsed: request.body }));
    baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  async function post(
    body: string,
    headers: Record<string, string>,
    contentType = "application/json",
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${baseUrl}/webhooks/portone`, {
      method: "POST",
      headers: { "content-type": contentType, ...headers },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function signed(body: string, id = newId(), secret = SECRET, timestamp?: Date) {
    return sign(secret, body, { id, ...(timestamp ? { timestamp } : {}) });
  }

  it.skipIf(skip)("stores a genuine 2024-04-25 webhook before acknowledging it", async () => {
    const id = newId();
    const before = stored;
    const { status, json } = await post(paidBody("pay-a"), await signed(paidBody("pay-a"), id));
    expect(status).toBe(200);
    expect(json).toEqual({ received: true, duplicate: false });
    expect(stored).toBe(before + 1);
    expect(await store.getEvent(id)).toMatchObject({
      id,
      source: "portone",
      format: "2024-04-25",
      type: "Transaction.Paid",
      occurredAt: "2024-04-25T10:00:00.000Z",
      data: { storeId: "store-1", paymentId: "pay-a", transactionId: "tx-1" },
      state: "pending",
    });
  });

  it.skipIf(skip)("accepts a webhook signed with the second (rotated) secret", async () => {
    const id = newId();
    const { status } = await post(
      paidBody("pay-b"),
      await signed(paidBody("pay-b"), id, OLD_SECRET),
    );
    expect(status).toBe(200);
    expect(await store.getEvent(id)).not.toBeNull();
  });

  it.skipIf(skip)("answers a duplicate webhook-id with 2xx and keeps one row", async () => {
    const id = newId();
    const headers = await signed(paidBody("pay-c"), id);
    expect((await post(paidBody("pay-c"), headers)).json).toEqual({
      received: true,
      duplicate: false,
    });
    expect((await post(paidBody("pay-c"), headers)).json).toEqual({
      received: true,
      duplicate: true,
    });
    expect(await store.listDeliveries({ eventId: id })).toEqual([]);
    expect((await store.getEvent(id))?.attempts).toBe(0);
  });

  it.skipIf(skip)("keeps one row for 50 concurrent deliveries of one webhook-id", async () => {
    const id = newId();
    const headers = await signed(paidBody("pay-d"), id);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => post(paidBody("pay-d"), headers)),
    );
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(results.filter((result) => result.json.duplicate === false)).toHaveLength(1);
  });

  it.skipIf(skip)("refuses bad signatures with a short reason and stores nothing", async () => {
    const body = paidBody("pay-e");
    const cases: [Record<string, string>, string][] = [
      [{}, "MISSING_REQUIRED_HEADERS"],
      [
        await signed(body, newId(), Buffer.from("some-other-secret-entirely!!").toString("base64")),
        "NO_MATCHING_SIGNATURE",
      ],
      [
        await signed(body, newId(), SECRET, new Date(Date.now() - 10 * 60_000)),
        "TIMESTAMP_TOO_OLD",
      ],
      [
        await signed(body, newId(), SECRET, new Date(Date.now() + 10 * 60_000)),
        "TIMESTAMP_TOO_NEW",
      ],
    ];
    for (const [headers, reason] of cases) {
      const { status, json } = await post(body, headers);
      expect([status, json]).toEqual([400, { error: reason }]);
      if (headers["webhook-id"]) expect(await store.getEvent(headers["webhook-id"])).toBeNull();
    }
    // A body changed after signing.
    const id = newId();
    const tampered = await post(paidBody("pay-evil"), await signed(body, id));
    expect([tampered.status, tampered.json]).toEqual([400, { error: "NO_MATCHING_SIGNATURE" }]);
    expect(await store.getEvent(id)).toBeNull();
  });

  it.skipIf(skip)("answers 413 to an oversized body", async () => {
    const huge = JSON.stringify({
      type: "Transaction.Paid",
      data: { padding: "x".repeat(8 * 1024) },
    });
    const { status, json } = await post(huge, await signed(huge));
    expect([status, json]).toEqual([413, { error: "PAYLOAD_TOO_LARGE" }]);
  });

  it.skipIf(skip)("refuses and logs genuine but malformed JSON", async () => {
    const id = newId();
    const body = '{"type":"Transaction.Paid",';
    const { status, json } = await post(body, await signed(body, id));
    expect([status, json]).toEqual([400, { error: "MALFORMED_BODY" }]);
    expect(await store.getEvent(id)).toBeNull();
    expect(logLines.some((line) => line.webhookId === id && line.reason === "MALFORMED_BODY")).toBe(
      true,
    );
  });

  it.skipIf(skip)("normalises the legacy 2024-01-01 format, JSON and form-encoded", async () => {
    const jsonId = newId();
    const legacyJson = JSON.stringify({
      payment_id: "pay-legacy-1",
      tx_id: "tx-9",
      status: "Paid",
    });
    expect((await post(legacyJson, await signed(legacyJson, jsonId))).status).toBe(200);
    const formId = newId();
    const legacyForm = "payment_id=pay-legacy-2&tx_id=tx-10&status=Cancelled";
    expect(
      (
        await post(
          legacyForm,
          await signed(legacyForm, formId),
          "application/x-www-form-urlencoded",
        )
      ).status,
    ).toBe(200);
    expect(await store.getEvent(jsonId)).toMatchObject({
      format: "2024-01-01",
      type: "Transaction.Paid",
      data: { paymentId: "pay-legacy-1", transactionId: "tx-9" },
    });
    expect(await store.getEvent(formId)).toMatchObject({
      format: "2024-01-01",
      type: "Transaction.Cancelled",
      data: { paymentId: "pay-legacy-2", transactionId: "tx-10" },
    });
  });

  it.skipIf(skip)("stores event types it does not know", async () => {
    const id = newId();
    const body = JSON.stringify({
      type: "Settlement.Completed",
      timestamp: "2030-01-01T00:00:00Z",
      data: { x: 1 },
    });
    expect((await post(body, await signed(body, id))).status).toBe(200);
    expect(await store.getEvent(id)).toMatchObject({
      type: "Settlement.Completed",
      data: { x: 1 },
    });
  });

  it.skipIf(skip)("leaves JSON parsing of other routes alone", async () => {
    const response = await fetch(`${baseUrl}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(await response.json()).toEqual({ parsed: { hello: "world" } });
  });

  it.skipIf(skip)("counts received, rejected and duplicate webhooks", async () => {
    const metrics = await registry.metrics();
    expect(metrics).toMatch(
      /portone_bff_webhooks_received_total\{type="Transaction.Paid",format="2024-04-25"\} \d+/,
    );
    expect(metrics).toMatch(
      /portone_bff_webhooks_rejected_total\{reason="NO_MATCHING_SIGNATURE"\} [1-9]/,
    );
    expect(metrics).toMatch(/portone_bff_webhooks_rejected_total\{reason="PAYLOAD_TOO_LARGE"\} 1/);
    expect(metrics).toMatch(/portone_bff_webhooks_duplicates_total [1-9]/);
    expect(metrics).toMatch(/portone_bff_webhook_inbox_lag_seconds\{stage="dispatch"\} /);
  });
});
