import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { skipBrowserTests } from "./support/chromium.js";
import { useBrowserFixture } from "./support/fixture.js";
import { callOutcome, startCall } from "./support/sdk-page-server.js";

describe.skipIf(skipBrowserTests)(
  "billing keys and identity verification through the browser SDK",
  () => {
    const f = useBrowserFixture();

    const iframe = (page: Page) => page.frameLocator('iframe[name="portone-sandbox-checkout"]');
    const open = () => f.openPage();

    it("requestIssueBillingKey: the key is known to getBillingKeyInfo, pays with payWithBillingKey, BillingKey.Issued fires", async () => {
      const page = await open();
      await startCall(page, "requestIssueBillingKey", {
        storeId: f.sandbox.storeId,
        channelKey: f.sandbox.channelKey,
        billingKeyMethod: "CARD",
        issueName: "Monthly coffee",
        customer: { customerId: "customer-7", fullName: "Kim Jiwoo", email: "jiwoo@example.com" },
      });
      await iframe(page).getByRole("button", { name: "Register the card" }).waitFor();
      await f.browser.screenshot(page, "sdk-billing-key-window");
      await iframe(page).getByRole("button", { name: "Register the card" }).click();
      const outcome = (await callOutcome(page)) as { resolved: { billingKey: string } };
      expect(outcome).toEqual({
        resolved: {
          transactionType: "ISSUE_BILLING_KEY",
          billingKey: expect.stringMatching(/^billing-key-/),
        },
      });
      const { billingKey } = outcome.resolved;
      const info = await f.portone.payment.billingKey.getBillingKeyInfo({ billingKey });
      expect(info).toMatchObject({
        status: "ISSUED",
        billingKey,
        customer: { id: "customer-7", name: "Kim Jiwoo", email: "jiwoo@example.com" },
      });
      expect(await f.webhookTypes({ billingKey })).toEqual(["BillingKey.Issued"]);
      const paymentId = `payment-${randomUUID()}`;
      await f.portone.payment.payWithBillingKey({
        paymentId,
        billingKey,
        orderName: "Monthly coffee, December",
        amount: { total: 9_900 },
        currency: "KRW",
      });
      expect(await f.portone.payment.getPayment({ paymentId })).toMatchObject({
        status: "PAID",
        billingKey,
        amount: { total: 9_900 },
      });
      await page.close();
    });

    it("requestIssueBillingKey with the declined test card answers the PG's refusal and issues nothing", async () => {
      const page = await open();
      await startCall(page, "requestIssueBillingKey", {
        storeId: f.sandbox.storeId,
        channelKey: f.sandbox.channelKey,
        billingKeyMethod: "CARD",
      });
      await iframe(page).getByLabel("Card").selectOption("4000000000000002");
      await iframe(page).getByRole("button", { name: "Register the card" }).click();
      expect(await callOutcome(page)).toEqual({
        resolved: {
          transactionType: "ISSUE_BILLING_KEY",
          code: "PGProviderError",
          message: "The card issuer declined the card.",
          pgCode: "SANDBOX_DECLINED",
          pgMessage: "The card issuer declined the card.",
        },
      });
      const keys = await f.portone.payment.billingKey.getBillingKeyInfos({});
      expect(keys.items.every((key) => key.status === "ISSUED")).toBe(true);
      expect(keys.items).toHaveLength(1);
      await page.close();
    });

    it("requestIssueBillingKey closed by the customer answers PAY_PROCESS_CANCELED", async () => {
      const page = await open();
      await startCall(page, "requestIssueBillingKey", {
        storeId: f.sandbox.storeId,
        channelKey: f.sandbox.channelKey,
        billingKeyMethod: "CARD",
      });
      await iframe(page).getByRole("button", { name: "Close the window" }).click();
      expect(await callOutcome(page)).toMatchObject({
        resolved: {
          transactionType: "ISSUE_BILLING_KEY",
          code: "PGProviderError",
          pgCode: "PAY_PROCESS_CANCELED",
        },
      });
      await page.close();
    });

    it("requestIssueBillingKeyAndPay issues a key and pays the first payment with it", async () => {
      const page = await open();
      const paymentId = `payment-${randomUUID()}`;
      await startCall(page, "requestIssueBillingKeyAndPay", {
        storeId: f.sandbox.storeId,
        channelKey: f.sandbox.channelKey,
        paymentId,
        orderName: "Subscription, first month",
        totalAmount: 4_900,
        currency: "KRW",
        billingKeyAndPayMethod: "MOBILE",
      });
      await iframe(page).getByRole("button", { name: "Register the card and pay" }).click();
      const outcome = (await callOutcome(page)) as {
        resolved: { billingKey: string; txId: string };
      };
      expect(outcome).toEqual({
        resolved: {
          transactionType: "ISSUE_BILLING_KEY_AND_PAY",
          billingKey: expect.stringMatching(/^billing-key-/),
          paymentId,
          txId: expect.any(String),
        },
      });
      expect(await f.portone.payment.getPayment({ paymentId })).toMatchObject({
        status: "PAID",
        transactionId: outcome.resolved.txId,
        billingKey: outcome.resolved.billingKey,
      });
      await page.close();
    });

    it("requestIdentityVerification: VERIFIED as the chosen person in getIdentityVerification, and its webhook fires", async () => {
      const page = await open();
      const identityVerificationId = `identity-${randomUUID()}`;
      await startCall(page, "requestIdentityVerification", {
        storeId: f.sandbox.storeId,
        channelKey: f.sandbox.channelKey,
        identityVerificationId,
        customer: { customerId: "customer-9" },
        customData: '{"purpose":"age check"}',
      });
      await iframe(page).getByLabel("Name").fill("Park Seoyeon");
      await iframe(page).getByLabel("Phone number").fill("01098765432");
      await iframe(page).getByLabel("Birth date").fill("1994-03-21");
      await iframe(page).getByLabel("Gender").selectOption("FEMALE");
      await iframe(page).getByLabel("Carrier").selectOption("KT");
      await f.browser.screenshot(page, "sdk-identity-window");
      await iframe(page).getByRole("button", { name: "Verify", exact: true }).click();
      expect(await callOutcome(page)).toEqual({
        resolved: {
          transactionType: "IDENTITY_VERIFICATION",
          identityVerificationId,
          identityVerificationTxId: expect.any(String),
        },
      });
      const verification = await f.portone.identityVerification.getIdentityVerification({
        identityVerificationId,
      });
      expect(verification).toMatchObject({
        status: "VERIFIED",
        id: identityVerificationId,
        customData: '{"purpose":"age check"}',
        verifiedCustomer: {
          id: "customer-9",
          name: "Park Seoyeon",
          phoneNumber: "01098765432",
          birthDate: "1994-03-21",
          gender: "FEMALE",
          operator: "KT",
          isForeigner: false,
          ci: expect.any(String),
          di: expect.any(String),
        },
      });
      expect(await f.webhookTypes({ identityVerificationId })).toEqual([
        "IdentityVerification.Verified",
      ]);

      // The same id cannot be verified twice: the SDK refuses before any window opens.
      await startCall(page, "requestIdentityVerification", {
        storeId: f.sandbox.storeId,
        identityVerificationId,
      });
      expect(await callOutcome(page)).toMatchObject({
        rejected: {
          __portOneErrorType: "IdentityVerificationError",
          transactionType: "IDENTITY_VERIFICATION",
          code: "IdentityVerificationAlreadyVerified",
          identityVerificationId,
          isPortOneError: true,
        },
      });
      await page.close();
    });

    it("a failed identity verification is FAILED with the PG code, and says so", async () => {
      const page = await open();
      const identityVerificationId = `identity-${randomUUID()}`;
      await startCall(page, "requestIdentityVerification", {
        storeId: f.sandbox.storeId,
        identityVerificationId,
      });
      await iframe(page).getByText("Decline", { exact: true }).click();
      await iframe(page).getByRole("button", { name: "Fail the verification" }).click();
      expect(await callOutcome(page)).toMatchObject({
        resolved: {
          transactionType: "IDENTITY_VERIFICATION",
          identityVerificationId,
          code: "PGProviderError",
          pgCode: "SANDBOX_DECLINED",
        },
      });
      expect(
        await f.portone.identityVerification.getIdentityVerification({ identityVerificationId }),
      ).toMatchObject({ status: "FAILED", failure: { pgCode: "SANDBOX_DECLINED" } });
      expect(await f.webhookTypes({ identityVerificationId })).toEqual([
        "IdentityVerification.Failed",
      ]);
      await page.close();
    });
  },
);
