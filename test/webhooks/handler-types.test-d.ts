import { describe, expectTypeOf, it } from "vitest";
import type { DispatchedEvent, EventFor, PaymentView } from "../../src/webhooks/event.js";
import type { Webhooks } from "../../src/webhooks/pipeline.js";

declare const webhooks: Webhooks;

describe("webhooks.on is typed by the pattern", () => {
  it("gives an exact type its data", () => {
    webhooks.on("Transaction.Paid", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"Transaction.Paid">();
      expectTypeOf(event.data.paymentId).toEqualTypeOf<string>();
      expectTypeOf(event.payment).toEqualTypeOf<PaymentView | null>();
    });
    webhooks.on("Transaction.Cancelled", (event) => {
      expectTypeOf(event.data.cancellationId).toEqualTypeOf<string>();
    });
    webhooks.on("BillingKey.Issued", (event) => {
      expectTypeOf(event.data.billingKey).toEqualTypeOf<string>();
    });
  });

  it("gives a family the union of its members", () => {
    webhooks.on("Transaction.*", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<
        | "Transaction.Ready"
        | "Transaction.Paid"
        | "Transaction.VirtualAccountIssued"
        | "Transaction.Failed"
        | "Transaction.PayPending"
        | "Transaction.DisputeCreated"
        | "Transaction.DisputeResolved"
        | "Transaction.Confirm"
        | "Transaction.PartialCancelled"
        | "Transaction.Cancelled"
        | "Transaction.CancelPending"
      >();
      expectTypeOf(event.data.paymentId).toEqualTypeOf<string>();
      if (event.type === "Transaction.Confirm") {
        expectTypeOf(event.data.totalAmount).toEqualTypeOf<number>();
      }
    });
  });

  it("gives `*` every event, unknown types included", () => {
    webhooks.on("*", (event) => {
      expectTypeOf(event).toEqualTypeOf<DispatchedEvent>();
      expectTypeOf(event.type).toEqualTypeOf<string>();
    });
    expectTypeOf<EventFor<"PaymentStatusChanged">["data"]["status"]>().toEqualTypeOf<string>();
  });

  it("refuses a handler for the wrong event", () => {
    // @ts-expect-error a Paid handler has no cancellationId
    webhooks.on("Transaction.Paid", (event) => event.data.cancellationId.length);
  });
});
