import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { skipBrowserTests } from "./support/chromium.js";
import { useBrowserFixture } from "./support/fixture.js";
import { callOutcome, startCall } from "./support/sdk-page-server.js";

/**
 * What the checkout window hands on to the newer flows: a billing key on a channel with manual
 * confirmation ends in a billingIssueToken for confirmBillingKey, and a transfer asks for a
 * cash receipt and can be an escrow payment.
 */
describe.skipIf(skipBrowserTests)("the checkout window and the newer payment flows", () => {
  const f = useBrowserFixture();
  const iframe = (page: Page) => page.frameLocator('iframe[name="portone-sandbox-checkout"]');

  async function addChannel(channel: Record<string, unknown>) {
    const response = await fetch(`${f.sandboxUrl}/sandbox/channels`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(channel),
    });
    expect(response.status).toBe(200);
  }

  it("requestIssueBillingKey on a manual-confirmation channel: a token, then confirmBillingKey issues", async () => {
    await addChannel({ key: "window-manual-keys", billingKeyConfirmation: "MANUAL" });
    const page = await f.openPage();
    await startCall(page, "requestIssueBillingKey", {
      storeId: f.sandbox.storeId,
      channelKey: "window-manual-keys",
      billingKeyMethod: "CARD",
    });
    await iframe(page).getByRole("button", { name: "Register the card" }).click();
    const outcome = (await callOutcome(page)) as { resolved: { billingIssueToken: string } };
    expect(outcome).toEqual({
      resolved: {
        transactionType: "ISSUE_BILLING_KEY",
        billingKey: "NEEDS_CONFIRMATION",
        billingIssueToken: expect.stringMatching(/^sandbox-billing-issue-/),
      },
    });
    const { billingKey } = await f.portone.payment.billingKey.confirmBillingKey({
      billingIssueToken: outcome.resolved.billingIssueToken,
    });
    expect(await f.portone.payment.billingKey.getBillingKeyInfo({ billingKey })).toMatchObject({
      status: "ISSUED",
      channels: [{ key: "window-manual-keys" }],
    });
    expect(await f.webhookTypes({ billingKey })).toEqual(["BillingKey.Issued"]);
    await page.close();
  });

  it("requestPayment by transfer with a cash receipt, in escrow, through a LIVE channel", async () => {
    await addChannel({ key: "window-live", type: "LIVE", pgProvider: "INICIS_V2" });
    const page = await f.openPage();
    const request = f.paymentRequest({
      channelKey: "window-live",
      payMethod: "TRANSFER",
      isEscrow: true,
      transfer: {
        cashReceiptType: "CASH_RECEIPT_TYPE_PERSONAL",
        customerIdentifier: "01055556666",
      },
    });
    await startCall(page, "requestPayment", request);
    await iframe(page).getByRole("button", { name: "Pay ₩12,000" }).click();
    expect(await callOutcome(page)).toMatchObject({ resolved: { paymentId: request.paymentId } });
    const payment = await f.portone.payment.getPayment({ paymentId: request.paymentId });
    expect(payment).toMatchObject({
      status: "PAID",
      channel: { type: "LIVE", key: "window-live", pgProvider: "INICIS_V2" },
      escrow: { status: "BEFORE_REGISTERED" },
      cashReceipt: { status: "ISSUED", type: "PERSONAL", totalAmount: 12_000 },
    });
    await page.close();
  });
});
