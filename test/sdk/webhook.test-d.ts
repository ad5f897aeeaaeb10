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

  it("has every webhook type of the official package, with the same shape", () => {
    expectTypeOf<Webhook.WebhookBillingKey>().toEqualTypeOf<OfficialWebhook.WebhookBillingKey>();
    expectTypeOf<Webhook.WebhookBillingKeyData>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyData>();
    expectTypeOf<Webhook.WebhookBillingKeyDataDeleted>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyDataDeleted>();
    expectTypeOf<Webhook.WebhookBillingKeyDataFailed>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyDataFailed>();
    expectTypeOf<Webhook.WebhookBillingKeyDataIssued>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyDataIssued>();
    expectTypeOf<Webhook.WebhookBillingKeyDataReady>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyDataReady>();
    expectTypeOf<Webhook.WebhookBillingKeyDataUpdated>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyDataUpdated>();
    expectTypeOf<Webhook.WebhookBillingKeyDeleted>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyDeleted>();
    expectTypeOf<Webhook.WebhookBillingKeyFailed>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyFailed>();
    expectTypeOf<Webhook.WebhookBillingKeyIssued>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyIssued>();
    expectTypeOf<Webhook.WebhookBillingKeyReady>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyReady>();
    expectTypeOf<Webhook.WebhookBillingKeyUpdated>().toEqualTypeOf<OfficialWebhook.WebhookBillingKeyUpdated>();
    expectTypeOf<Webhook.WebhookTransaction>().toEqualTypeOf<OfficialWebhook.WebhookTransaction>();
    expectTypeOf<Webhook.WebhookTransactionCancelled>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelled>();
    expectTypeOf<Webhook.WebhookTransactionCancelledCancelled>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledCancelled>();
    expectTypeOf<Webhook.WebhookTransactionCancelledCancelPending>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledCancelPending>();
    expectTypeOf<Webhook.WebhookTransactionCancelledData>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledData>();
    expectTypeOf<Webhook.WebhookTransactionCancelledDataCancelled>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledDataCancelled>();
    expectTypeOf<Webhook.WebhookTransactionCancelledDataCancelPending>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledDataCancelPending>();
    expectTypeOf<Webhook.WebhookTransactionCancelledDataPartialCancelled>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledDataPartialCancelled>();
    expectTypeOf<Webhook.WebhookTransactionCancelledPartialCancelled>().toEqualTypeOf<OfficialWebhook.WebhookTransactionCancelledPartialCancelled>();
    expectTypeOf<Webhook.WebhookTransactionConfirm>().toEqualTypeOf<OfficialWebhook.WebhookTransactionConfirm>();
    expectTypeOf<Webhook.WebhookTransactionData>().toEqualTypeOf<OfficialWebhook.WebhookTransactionData>();
    expectTypeOf<Webhook.WebhookTransactionDataConfirm>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataConfirm>();
    expectTypeOf<Webhook.WebhookTransactionDataDisputeCreated>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataDisputeCreated>();
    expectTypeOf<Webhook.WebhookTransactionDataDisputeResolved>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataDisputeResolved>();
    expectTypeOf<Webhook.WebhookTransactionDataFailed>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataFailed>();
    expectTypeOf<Webhook.WebhookTransactionDataPaid>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataPaid>();
    expectTypeOf<Webhook.WebhookTransactionDataPayPending>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataPayPending>();
    expectTypeOf<Webhook.WebhookTransactionDataReady>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataReady>();
    expectTypeOf<Webhook.WebhookTransactionDataVirtualAccountIssued>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDataVirtualAccountIssued>();
    expectTypeOf<Webhook.WebhookTransactionDisputeCreated>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDisputeCreated>();
    expectTypeOf<Webhook.WebhookTransactionDisputeResolved>().toEqualTypeOf<OfficialWebhook.WebhookTransactionDisputeResolved>();
    expectTypeOf<Webhook.WebhookTransactionFailed>().toEqualTypeOf<OfficialWebhook.WebhookTransactionFailed>();
    expectTypeOf<Webhook.WebhookTransactionPaid>().toEqualTypeOf<OfficialWebhook.WebhookTransactionPaid>();
    expectTypeOf<Webhook.WebhookTransactionPayPending>().toEqualTypeOf<OfficialWebhook.WebhookTransactionPayPending>();
    expectTypeOf<Webhook.WebhookTransactionReady>().toEqualTypeOf<OfficialWebhook.WebhookTransactionReady>();
    expectTypeOf<Webhook.WebhookTransactionVirtualAccountIssued>().toEqualTypeOf<OfficialWebhook.WebhookTransactionVirtualAccountIssued>();
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
