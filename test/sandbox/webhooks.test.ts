import * as OfficialWebhook from "@portone/server-sdk/webhook";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verify as ourVerify } from "../../src/sdk/webhook/index.js";
import { known, newPaymentId, type RunningSandbox, startSandbox } from "../support/sandbox.js";
import { failTestsOnSchemaViolations } from "../support/schema-check.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

let receiver: WebhookReceiver;
let running: RunningSandbox;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  // 1 minute -> 10 ms: the whole 5-retry schedule takes about 3.4 s.
  running = await startSandbox(
    {
      webhookEndpoints: [{ url: receiver.url }],
      webhookRetryScale: 1 / 6000,
      webhookTimeoutMs: 2_000,
    },
    { checkSchema: true },
  );
});
afterAll(async () => {
  await running.close();
  await receiver.close();
});
beforeEach(async () => {
  await running.sandbox.flushWebhooks();
  receiver.received.length = 0;
  receiver.respondWith = () => 200;
  running.sandbox.setFaults([]);
  running.sandbox.setWebhookEndpoints([{ url: receiver.url }]);
});
failTestsOnSchemaViolations();

function header(webhook: { headers: Record<string, unknown> }, name: string): string {
  return String(webhook.headers[name]);
}

describe("signed 2024-04-25 webhooks", () => {
  it("sends one verifiable webhook per state change, accepted by the official SDK's Webhook.verify", async () => {
    const paymentId = newPaymentId("webhook");
    await running.checkout({ paymentId, totalAmount: 5_000 });
    await running.client.payment.cancelPayment({ paymentId, amount: 1_000, reason: "partial" });
    await running.client.payment.cancelPayment({ paymentId, reason: "rest" });
    await receiver.untilReceived(4);
    await running.sandbox.flushWebhooks();

    const verified = [];
    for (const webhook of receiver.received) {
      verified.push(
        await OfficialWebhook.verify(
          running.sandbox.webhookSecret,
          webhook.body,
          webhook.headers as Record<string, string>,
        ),
      );
      await ourVerify(
        running.sandbox.webhookSecret,
        webhook.body,
        webhook.headers as Record<string, string>,
      );
    }
    expect(verified.map((w) => w.type)).toEqual([
      "Transaction.Ready",
      "Transaction.Paid",
      "Transaction.PartialCancelled",
      "Transaction.Cancelled",
    ]);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    for (const webhook of verified) {
      expect(webhook).toMatchObject({
        data: { paymentId, storeId: running.sandbox.storeId, transactionId: payment.transactionId },
      });
      expect(Date.parse((webhook as { timestamp: string }).timestamp)).not.toBeNaN();
    }
    expect((verified[2] as { data: { cancellationId?: string } }).data.cancellationId).toEqual(
      expect.any(String),
    );
    await expect(
      OfficialWebhook.verify(
        `whsec_${Buffer.from("another secret").toString("base64")}`,
        receiver.received[0]?.body ?? "",
        receiver.received[0]?.headers as Record<string, string>,
      ),
    ).rejects.toThrow();
  });

  it("records each delivery in payment.webhooks", async () => {
    const paymentId = newPaymentId("webhook");
    await running.checkout({ paymentId, totalAmount: 5_000 });
    await running.sandbox.flushWebhooks();
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.webhooks).toHaveLength(2);
    for (const webhook of payment.webhooks ?? []) {
      expect(webhook).toMatchObject({
        status: "SUCCEEDED",
        url: receiver.url,
        currentExecutionCount: 1,
        response: { code: "200" },
      });
    }
    expect(payment.webhooks?.map((w) => w.paymentStatus)).toEqual(["READY", "PAID"]);
  });

  it("sends billing key events too", async () => {
    const { billingKeyInfo } = await running.client.payment.billingKey.issueBillingKey({
      method: {
        card: { credential: { number: "5365100000001234", expiryYear: "30", expiryMonth: "12" } },
      },
    });
    await running.client.payment.billingKey.deleteBillingKey({
      billingKey: billingKeyInfo.billingKey,
    });
    await receiver.untilReceived(2);
    expect(receiver.bodies().map((b) => [b.type, b.data?.billingKey])).toEqual([
      ["BillingKey.Issued", billingKeyInfo.billingKey],
      ["BillingKey.Deleted", billingKeyInfo.billingKey],
    ]);
  });

  it("sends the legacy 2024-01-01 body to endpoints configured for it", async () => {
    const legacy = await new WebhookReceiver().start();
    try {
      running.sandbox.setWebhookEndpoints([
        { url: receiver.url },
        { url: legacy.url, version: "2024-01-01" },
      ]);
      const paymentId = newPaymentId("legacy");
      const checkout = await running.checkout({ paymentId, totalAmount: 1_000 });
      await legacy.untilReceived(2);
      await running.sandbox.flushWebhooks();
      expect(legacy.bodies()).toEqual([
        { payment_id: paymentId, tx_id: checkout.body.txId, status: "Ready" },
        { payment_id: paymentId, tx_id: checkout.body.txId, status: "Paid" },
      ]);
      // Signed like the current format.
      const first = legacy.received[0];
      if (!first) throw new Error("no legacy webhook");
      await OfficialWebhook.verify(
        running.sandbox.webhookSecret,
        first.body,
        first.headers as Record<string, string>,
      );
    } finally {
      await legacy.close();
    }
  });
});

describe("retries", () => {
  it("retries a failing receiver with the same webhook-id until it answers 2xx", async () => {
    receiver.respondWith = (index) => (index < 3 ? 500 : 204);
    running.sandbox.setWebhookEndpoints([{ url: receiver.url }]);
    const paymentId = newPaymentId("retry");
    await running.api("POST", `/payments/${paymentId}/pre-register`, {
      body: { totalAmount: 1_000 },
    });
    await running.checkout({ paymentId, totalAmount: 1_000, outcome: "failed" });
    // Ready and Failed: 2 deliveries; the first three attempts overall fail.
    await receiver.untilReceived(5, 20_000);
    await running.sandbox.flushWebhooks();
    const byId = new Map<string, number>();
    for (const webhook of receiver.received) {
      const id = header(webhook, "webhook-id");
      byId.set(id, (byId.get(id) ?? 0) + 1);
      await OfficialWebhook.verify(
        running.sandbox.webhookSecret,
        webhook.body,
        webhook.headers as Record<string, string>,
      );
    }
    expect([...byId.values()].sort()).toEqual([2, 3]);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.webhooks?.map((w) => [w.status, w.currentExecutionCount]).sort()).toEqual([
      ["SUCCEEDED", 2],
      ["SUCCEEDED", 3],
    ]);
  });

  it("gives up after PortOne's 6 attempts and records the failure", async () => {
    receiver.respondWith = () => 503;
    const paymentId = newPaymentId("retry");
    await running.checkout({ paymentId, totalAmount: 1_000, outcome: "pay-pending" });
    await receiver.untilReceived(12, 20_000);
    await running.sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(12);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    for (const webhook of payment.webhooks ?? []) {
      expect(webhook).toMatchObject({
        status: "FAILED_NOT_OK_RESPONSE",
        currentExecutionCount: 6,
        maxExecutionCount: 6,
        response: { code: "503" },
      });
    }
  });

  it("waits for the schedule before retrying, and flush runs due retries at once", async () => {
    const slow = await startSandbox(
      {
        webhookEndpoints: [{ url: receiver.url }],
        webhookRetryScale: 1,
      },
      { checkSchema: true },
    );
    try {
      receiver.respondWith = (index) => (index === 0 ? 500 : 200);
      await slow.checkout({
        paymentId: newPaymentId("slow"),
        totalAmount: 1_000,
        outcome: "pay-pending",
      });
      await receiver.untilReceived(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The first retry is a minute away.
      expect(receiver.received).toHaveLength(2);
      await slow.sandbox.flushWebhooks();
      expect(receiver.received).toHaveLength(3);
      expect(header(receiver.received[2] as never, "webhook-id")).toBe(
        header(receiver.received[0] as never, "webhook-id"),
      );
    } finally {
      await slow.close();
    }
  });

  it("treats a receiver that does not answer in time as failed", async () => {
    const { createServer } = await import("node:http");
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/`;
    const quick = await startSandbox(
      {
        webhookEndpoints: [{ url }],
        webhookTimeoutMs: 100,
        webhookRetryScale: 1,
      },
      { checkSchema: true },
    );
    try {
      const paymentId = newPaymentId("timeout");
      await quick.checkout({ paymentId, totalAmount: 1_000, outcome: "pay-pending" });
      await quick.sandbox.flushWebhooks();
      const payment = known(await quick.client.payment.getPayment({ paymentId }));
      expect(payment.webhooks?.[0]?.status).toBe("FAILED_UNEXPECTED_ERROR");
    } finally {
      await quick.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("resendWebhook", () => {
  it("sends a payment's latest webhook again, as a new manual delivery", async () => {
    const paymentId = newPaymentId("resend");
    await running.checkout({ paymentId, totalAmount: 1_000 });
    await running.sandbox.flushWebhooks();
    const { webhook } = await running.client.payment.resendWebhook({ paymentId });
    expect(webhook).toMatchObject({
      trigger: "MANUAL",
      status: "SUCCEEDED",
      currentExecutionCount: 1,
    });
    expect(receiver.bodies().map((b) => b.type)).toEqual([
      "Transaction.Ready",
      "Transaction.Paid",
      "Transaction.Paid",
    ]);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment.webhooks).toHaveLength(3);
    await expect(
      running.client.payment.resendWebhook({ paymentId, webhookId: "nope" }),
    ).rejects.toMatchObject({ data: { type: "WEBHOOK_NOT_FOUND" } });
  });
});

describe("delivery faults", () => {
  it("delivers duplicates with the same webhook-id", async () => {
    running.sandbox.setFaults([{ kind: "webhook-duplicate", times: 1 }]);
    await running.checkout({
      paymentId: newPaymentId("dup"),
      totalAmount: 1_000,
      outcome: "failed",
    });
    await receiver.untilReceived(3);
    await running.sandbox.flushWebhooks();
    const ids = receiver.received.map((webhook) => header(webhook, "webhook-id"));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(2);
  });

  it("delivers out of order", async () => {
    running.sandbox.setFaults([{ kind: "webhook-reorder", count: 2, times: 1 }]);
    await running.checkout({ paymentId: newPaymentId("reorder"), totalAmount: 1_000 });
    await receiver.untilReceived(2);
    await running.sandbox.flushWebhooks();
    expect(receiver.bodies().map((b) => b.type)).toEqual(["Transaction.Paid", "Transaction.Ready"]);
  });
});

describe("admin routes", () => {
  it("replaces the webhook endpoints over HTTP and logs deliveries", async () => {
    const other = await new WebhookReceiver().start();
    try {
      const set = await running.api("POST", "/sandbox/webhook-endpoints", {
        auth: false,
        body: { endpoints: [{ url: other.url, version: "2024-01-01" }] },
      });
      expect(set.status).toBe(200);
      const paymentId = newPaymentId("admin");
      await running.checkout({ paymentId, totalAmount: 1_000 });
      await other.untilReceived(2);
      expect(other.bodies().map((b) => (b as { status?: string }).status)).toEqual([
        "Ready",
        "Paid",
      ]);
      expect(receiver.received).toHaveLength(0);

      const flushed = await running.api("POST", "/sandbox/webhooks/flush", { auth: false });
      expect(flushed.body.pendingRetries).toBe(0);
      const log = await running.api("GET", "/sandbox/webhooks", { auth: false });
      const mine = log.body.deliveries.filter((d: { url: string }) => d.url === other.url);
      expect(mine.map((d: { status: string }) => d.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);

      const bad = await running.api("POST", "/sandbox/webhook-endpoints", {
        auth: false,
        body: { endpoints: [{ url: "not a url" }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain("url");
    } finally {
      await other.close();
    }
  });
});
