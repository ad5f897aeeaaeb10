import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expectTypeOf, it } from "vitest";
import {
  consumeEvents,
  type DispatchedEvent,
  type PaymentView,
} from "../../src/webhooks/nats/index.js";

declare const connection: NatsConnection;

describe("consumeEvents (portone-bff/events) is typed by the patterns", () => {
  it("gives exact types their data", () => {
    void consumeEvents(connection, {
      durable: "fulfilment",
      events: ["Transaction.Paid", "Transaction.Cancelled"],
      async handler(event, context) {
        expectTypeOf(event.type).toEqualTypeOf<"Transaction.Paid" | "Transaction.Cancelled">();
        expectTypeOf(event.data.paymentId).toEqualTypeOf<string>();
        expectTypeOf(event.payment).toEqualTypeOf<PaymentView | null>();
        expectTypeOf(context.streamSequence).toEqualTypeOf<number>();
        if (event.type === "Transaction.Cancelled") {
          expectTypeOf(event.data.cancellationId).toEqualTypeOf<string>();
        }
      },
    });
  });

  it("gives every event without patterns", () => {
    void consumeEvents(connection, {
      durable: "audit",
      async handler(event) {
        expectTypeOf(event).toEqualTypeOf<DispatchedEvent>();
      },
    });
  });
});
