import type { IncomingHttpHeaders } from "node:http";
import type { Webhook as OfficialWebhook } from "@portone/server-sdk";
import { describe, expectTypeOf, it } from "vitest";
import * as Webhook from "../../src/sdk/webhook/index.js";

declare const webhook: Webhook.Webhook;

describe("Webhook types", () => {
  it("needs narrowing before data is reachable", () => {
    // @ts-expect-error the Unrecognized member has no data
    webhook.data;
    if (!Webhook.isUnrecognizedWebhook(webhook)) {
      expectTypeOf(webhook.data.storeId).toEqualTypeOf<string>();
      expectTypeOf(webhook.timestamp).toEqualTypeOf<string>();
    }
    if (Webhook.isUnrecognizedWebhook(webhook)) {
      expectTypeOf(webhook.type).toEqualTypeOf<Webhook.Unrecognized>();
    }
  });

  it("narrows by type to each event's data", () => {
    switch (webhook.type) {
      case "Transaction.Confirm":
        expectTypeOf(webhook).toEqualTypeOf<Webhook.WebhookTransactionConfirm>();
        expectTypeOf(webhook.data.totalAmount).toEqualTypeOf<number>();
        break;
      case "Transaction.Cancelled":
      case "Transaction.PartialCancelled":
      case "Transaction.CancelPending":
        expectTypeOf(webhook).toEqualTypeOf<Webhook.WebhookTransactionCancelled>();
        expectTypeOf(webhook.data.cancellationId).toEqualTypeOf<string>();
        break;
      case "Transaction.Paid":
        expectTypeOf(webhook).toEqualTypeOf<Webhook.WebhookTransactionPaid>();
        expectTypeOf(webhook.data).toHaveProperty("paymentId");
        // @ts-expect-error only cancellations carry a cancellationId
        webhook.data.cancellationId;
        break;
      case "BillingKey.Issued":
        expectTypeOf(webhook).toEqualTypeOf<Webhook.WebhookBillingKeyIssued>();
        expectTypeOf(webhook.data.billingKey).toEqualTypeOf<string>();
        // @ts-expect-error billing-key events have no paymentId
        webhook.data.paymentId;
        break;
    }
  });

  it("is interchangeable with the official package's types", () => {
    expectTypeOf<Webhook.WebhookTransaction>().toExtend<OfficialWebhook.WebhookTransaction>();
    expectTypeOf<OfficialWebhook.WebhookTransaction>().toExtend<Webhook.WebhookTransaction>();
    expectTypeOf<Webhook.WebhookBillingKey>().toExtend<OfficialWebhook.WebhookBillingKey>();
    expectTypeOf<OfficialWebhook.WebhookBillingKey>().toExtend<Webhook.WebhookBillingKey>();
    expectTypeOf<Webhook.WebhookTransactionDataConfirm>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataConfirm>();
    expectTypeOf<Webhook.WebhookTransactionCancelledData>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledData>();
    expectTypeOf<Webhook.WebhookBillingKeyData>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyData>();
    // Like the official object types, event data fits a plain record (an interface would not).
    expectTypeOf<Webhook.WebhookTransactionData>().toExtend<Record<string, unknown>>();
    expectTypeOf<Webhook.WebhookBillingKeyData>().toExtend<Record<string, unknown>>();
    expectTypeOf<Webhook.WebhookVerificationFailureReason>().toEqualTypeOf<OfficialWebhook.WebhookVerificationFailureReason>();
  });

  it("verify takes what frameworks hand over and returns the union", () => {
    expectTypeOf(Webhook.verify).returns.toEqualTypeOf<Promise<Webhook.Webhook>>();
    expectTypeOf<IncomingHttpHeaders>().toExtend<Webhook.WebhookHeaders>();
    expectTypeOf<Headers>().toExtend<Webhook.WebhookHeaders>();
    expectTypeOf<Record<string, string>>().toExtend<Webhook.WebhookHeaders>();
    expectTypeOf<Uint8Array>().toExtend<Parameters<typeof Webhook.verify>[1]>();
    expectTypeOf<readonly string[]>().toExtend<Parameters<typeof Webhook.verify>[0]>();
    expectTypeOf(
      Webhook.sign,
    ).returns.resolves.toEqualTypeOf<Webhook.WebhookUnbrandedRequiredHeaders>();
    // @ts-expect-error a parsed body is not a payload: signatures cover the raw bytes
    Webhook.verify("secret", { type: "Transaction.Paid" }, {});
  });

  it("types the legacy body", () => {
    expectTypeOf(Webhook.parseLegacyWebhookBody).returns.toEqualTypeOf<
      Webhook.LegacyWebhookBody | undefined
    >();
    expectTypeOf<Webhook.LegacyWebhookBody>().toEqualTypeOf<{
      payment_id: string;
      tx_id: string;
      status: string;
    }>();
  });
});
