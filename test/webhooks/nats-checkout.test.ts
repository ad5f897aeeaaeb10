import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhooksModule } from "../../src/webhooks/module.js";
import { consumeEvents } from "../../src/webhooks/nats/index.js";
import type { Webhooks } from "../../src/webhooks/pipeline.js";
import { QUICK_WEBHOOKS_ENV, useServiceStack } from "../support/service-stack.js";
import { waitFor } from "../support/wait-for.js";
import {
  deleteStream,
  NATS_TEST_URL,
  natsAvailable,
  readStream,
  type StoredMessage,
  uniqueStream,
} from "./support/nats.js";

const available = await natsAvailable();

/** sandbox checkout -> PortOne webhooks -> service outbox -> JetStream, on the shared server. */
describe.skipIf(!available)("checkout events on the NATS stream", () => {
  const { stream, prefix } = uniqueStream("checkout");
  let webhooks: Webhooks | undefined;
  let nc: NatsConnection;
  // Registered first, so that vitest runs its afterAll last: the service stops before the stream goes.
  beforeAll(async () => {
    nc = await connect({ servers: NATS_TEST_URL, timeout: 3_000 });
  });

  afterAll(async () => {
    await nc?.close();
    await deleteStream(NATS_TEST_URL, stream);
  });

  const stack = useServiceStack({
    env: {
      ...QUICK_WEBHOOKS_ENV,
      NATS_URL: NATS_TEST_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: prefix,
    },
    deps: { modules: [webhooksModule({ configure: (created) => (webhooks = created) })] },
    webhooksToService: true,
  });

  it("puts each event of a checkout on the stream once, in the outbox's order per payment", async () => {
    const alice = await stack.client("alice");
    const pay = async () => {
      const order = stack.placeOrder("alice");
      const prepared = await alice.payment.prepare.mutate({ orderId: order.orderId });
      const result = await stack.checkout(prepared, { ...prepared, outcome: "paid" });
      expect(result.code).toBeUndefined();
      return prepared.paymentId;
    };
    const paymentIds = await Promise.all([pay(), pay(), pay()]);
    const subscriberId = `nats:${stream}`;
    const store = webhooks?.store;
    if (!store) throw new Error("webhooks pipeline not created");

    // Every payment's Transaction.Paid and PaymentStatusChanged are through the outbox.
    await waitFor(
      async () => {
        const deliveries = await store.listDeliveries({ subscriberId, limit: 1_000 });
        const count = (type: string) => deliveries.filter((d) => d.eventType === type).length;
        return (
          count("Transaction.Paid") >= paymentIds.length &&
          count("PaymentStatusChanged") >= paymentIds.length &&
          deliveries.every((delivery) => delivery.state === "delivered")
        );
      },
      { description: "all NATS deliveries delivered" },
    );
    const deliveries = await store.listDeliveries({ subscriberId, limit: 1_000 });
    const messages = await readStream(nc, stream);

    // Once each: one message per delivery, none extra, every Nats-Msg-Id the event id.
    expect(messages.map((m) => m.msgId).sort()).toEqual(deliveries.map((d) => d.eventId).sort());
    expect(new Set(messages.map((m) => m.msgId)).size).toBe(messages.length);
    for (const message of messages) expect(message.msgId).toBe(message.body.id);

    const paymentOf = (message: StoredMessage) =>
      (message.body.data as { paymentId?: string }).paymentId;
    const outboxOrder = [...deliveries].sort((a, b) => a.id - b.id).map((d) => d.eventId);
    for (const paymentId of paymentIds) {
      const onStream = messages.filter((m) => paymentOf(m) === paymentId);
      expect(onStream.map((m) => m.body.type).sort()).toEqual(
        expect.arrayContaining(["PaymentStatusChanged", "Transaction.Paid"]),
      );
      const ids = onStream.map((m) => m.msgId as string);
      expect(ids, paymentId).toEqual(outboxOrder.filter((id) => ids.includes(id)));
      const paid = onStream.find((m) => m.body.type === "Transaction.Paid");
      expect(paid?.subject).toBe(`${prefix}.transaction.paid`);
      expect(paid?.body).toMatchObject({
        source: "portone",
        format: "2024-04-25",
        data: { paymentId },
        payment: { paymentId, status: "PAID", totalAmount: 25_000, currency: "KRW" },
      });
      const changed = onStream.find((m) => m.body.type === "PaymentStatusChanged");
      expect(changed?.subject).toBe(`${prefix}.payment.status_changed`);
    }

    // The same bytes the HTTP subscribers get, read back through the typed consumer helper.
    const received: { type: string; status: string | undefined }[] = [];
    const consumption = await consumeEvents(nc, {
      stream,
      subjectPrefix: prefix,
      durable: "ledger",
      events: ["Transaction.Paid", "PaymentStatusChanged"],
      async handler(event) {
        received.push({ type: event.type, status: event.payment?.status });
      },
    });
    const asked = messages.filter((m) => m.body.type !== "Transaction.Ready").length;
    expect(asked).toBe(paymentIds.length * 2);
    await waitFor(() => received.length >= asked, {
      description: "the consumer read every event asked for",
    });
    await consumption.stop();
    expect(received).toHaveLength(asked);
    expect(received.filter((r) => r.type === "Transaction.Paid")).toEqual(
      paymentIds.map(() => ({ type: "Transaction.Paid", status: "PAID" })),
    );

    const ready = await fetch(`${stack.running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.nats).toBe("ok");
    const metrics = await (await fetch(`${stack.running.internalUrl}/metrics`)).text();
    expect(metrics).toContain(`portone_bff_nats_connected{stream="${stream}"} 1`);
  }, 60_000);
});
