/**
 * Identity verification by API (send, resend, confirm, list) and billing key manual
 * confirmation through the official @portone/server-sdk 0.19 unchanged; payment sessions,
 * checkout profiles and bank infos, which 0.19 does not have, through this package's SDK.
 * Every response is checked against openapi.json; webhooks are asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortOneClient } from "../../src/sdk/index.js";
import { useCheckedSandbox } from "../support/checked-sandbox.js";
import { known, newPaymentId, portOneError } from "../support/sandbox.js";
import { expectEveryOperationChecked } from "../support/schema-check.js";
import { verificationAndSessionOperations } from "./support/operations.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const MANUAL_KEYS = "channel-manual-billing-keys";
const IDENTITY = "channel-identity-danal";

const running = useCheckedSandbox({
  channels: [
    { key: "channel-main" },
    { key: MANUAL_KEYS, billingKeyConfirmation: "MANUAL", pgProvider: "KCP_V2" },
    { key: IDENTITY, pgProvider: "DANAL", type: "LIVE" },
  ],
});
const receiver = new WebhookReceiver();
beforeAll(async () => {
  await receiver.start();
  running.sandbox.setWebhookEndpoints([{ url: receiver.url }]);
});
afterAll(() => receiver.close());

async function webhooks(match: (data: Record<string, unknown>) => boolean) {
  await running.sandbox.flushWebhooks();
  return receiver
    .bodies()
    .filter((body) => body.data && match(body.data))
    .map((body) => body.type);
}

/** This package's SDK, for the operations @portone/server-sdk 0.19 lacks. */
function ourClient() {
  return PortOneClient({
    secret: running.sandbox.apiSecret,
    baseUrl: running.url,
    maxRetries: 0,
    fetch: (input, init) => globalThis.fetch(input, init),
  });
}

describe("identity verification by API", () => {
  const customer = {
    name: "Kim Verify",
    phoneNumber: "010-1234-5678",
    ipAddress: "203.0.113.7",
    identityNumber: "9001021",
  };

  it("sends a code, resends another, and verifies with the latest one", async () => {
    const api = running.client.identityVerification;
    const identityVerificationId = newPaymentId("identity");
    const notSent = await portOneError(
      api.confirmIdentityVerification({ identityVerificationId, otp: "1" }),
    );
    expect(notSent.data.type).toBe("IDENTITY_VERIFICATION_NOT_FOUND");
    await api.sendIdentityVerification({
      identityVerificationId,
      channelKey: IDENTITY,
      customer,
      operator: "SKT",
      method: "SMS",
      customData: "order-42",
    });
    const ready = known(await api.getIdentityVerification({ identityVerificationId }));
    expect(ready).toMatchObject({ status: "READY", channel: { key: IDENTITY, type: "LIVE" } });
    const twice = await portOneError(
      api.sendIdentityVerification({
        identityVerificationId,
        channelKey: IDENTITY,
        customer,
        operator: "SKT",
        method: "SMS",
      }),
    );
    expect(twice.data.type).toBe("IDENTITY_VERIFICATION_ALREADY_SENT");

    const otpOf = async () =>
      (
        await running.api("GET", `/sandbox/identity-verifications/${identityVerificationId}/otp`, {
          auth: false,
        })
      ).body.otp as string;
    const first = await otpOf();
    expect(first).toMatch(/^\d{6}$/);
    await api.resendIdentityVerification({ identityVerificationId });
    const second = await otpOf();
    const wrong = second === "000000" ? "111111" : "000000";
    const mismatch = await portOneError(
      api.confirmIdentityVerification({ identityVerificationId, otp: wrong }),
    );
    expect(mismatch.data.type).toBe("PG_PROVIDER");

    const { identityVerification } = await api.confirmIdentityVerification({
      identityVerificationId,
      otp: second,
    });
    expect(identityVerification).toMatchObject({
      status: "VERIFIED",
      customData: "order-42",
      verifiedCustomer: {
        name: "Kim Verify",
        phoneNumber: "01012345678",
        operator: "SKT",
        birthDate: "1990-01-02",
        gender: "MALE",
        isForeigner: false,
      },
    });
    const verifiedAgain = await portOneError(
      api.confirmIdentityVerification({ identityVerificationId, otp: second }),
    );
    expect(verifiedAgain.data.type).toBe("IDENTITY_VERIFICATION_ALREADY_VERIFIED");
    const resendVerified = await portOneError(
      api.resendIdentityVerification({ identityVerificationId }),
    );
    expect(resendVerified.data.type).toBe("IDENTITY_VERIFICATION_ALREADY_VERIFIED");
    expect(
      await webhooks((data) => data.identityVerificationId === identityVerificationId),
    ).toEqual(["IdentityVerification.Verified"]);

    const listed = await api.getIdentityVerifications({
      filter: { statuses: ["VERIFIED"], identityVerificationId },
    });
    expect(listed.items.map((item) => known(item).id)).toEqual([identityVerificationId]);
    const byName = await api.getIdentityVerifications({
      filter: { customer: { name: "Kim Verify" }, isTest: false },
      sort: { by: "REQUESTED_AT", order: "ASC" },
      page: { number: 0, size: 10 },
    });
    expect(byName.page.totalCount).toBe(1);
    const unknownChannel = await portOneError(
      api.sendIdentityVerification({
        identityVerificationId: newPaymentId("identity"),
        channelKey: "nope",
        customer,
        operator: "KT",
        method: "APP",
      }),
    );
    expect(unknownChannel.data.type).toBe("CHANNEL_NOT_FOUND");
    const notSentYet = await portOneError(
      api.resendIdentityVerification({ identityVerificationId: "nope" }),
    );
    expect(notSentYet.data.type).toBe("IDENTITY_VERIFICATION_NOT_FOUND");
  });
});

describe("billing key manual confirmation", () => {
  const windowIssue = (body: Record<string, unknown>) =>
    running.api("POST", "/sandbox/billing-keys/issue", {
      auth: false,
      body: { storeId: running.sandbox.storeId, channelKey: MANUAL_KEYS, ...body },
    });

  it("issues a billing key only when the merchant confirms its token", async () => {
    const issued = await windowIssue({ customer: { id: "customer-confirm" } });
    expect(issued.body.billingKey).toBe("NEEDS_CONFIRMATION");
    const token = issued.body.billingIssueToken as string;
    const api = running.client.payment.billingKey;
    const mismatch = await portOneError(
      api.confirmBillingKey({ billingIssueToken: token, isTest: false }),
    );
    expect(mismatch.data.type).toBe("INFORMATION_MISMATCH");
    const { billingKey } = await api.confirmBillingKey({ billingIssueToken: token, isTest: true });
    expect(known(await api.getBillingKeyInfo({ billingKey }))).toMatchObject({
      status: "ISSUED",
      channels: [{ key: MANUAL_KEYS, pgProvider: "KCP_V2" }],
    });
    const again = await portOneError(api.confirmBillingKey({ billingIssueToken: token }));
    expect(again.data.type).toBe("BILLING_KEY_ALREADY_ISSUED");
    const unknown = await portOneError(api.confirmBillingKey({ billingIssueToken: "nope" }));
    expect(unknown.data.type).toBe("BILLING_KEY_NOT_FOUND");
    expect(await webhooks((data) => data.billingKey === billingKey)).toEqual(["BillingKey.Issued"]);
  });

  it("confirms issue-and-pay: the key, then the payment it was authenticated with", async () => {
    const paymentId = newPaymentId("issue-and-pay");
    const issued = await windowIssue({
      paymentId,
      orderName: "Subscription",
      currency: "KRW",
      totalAmount: 9_900,
    });
    const token = issued.body.billingIssueToken as string;
    const api = running.client.payment.billingKey;
    const wrongAmount = await portOneError(
      api.confirmBillingKeyIssueAndPay({
        billingIssueToken: token,
        paymentId,
        totalAmount: 1,
        currency: "KRW",
      }),
    );
    expect(wrongAmount.data.type).toBe("INFORMATION_MISMATCH");
    const confirmed = await api.confirmBillingKeyIssueAndPay({
      billingIssueToken: token,
      paymentId,
      totalAmount: 9_900,
      currency: "KRW",
    });
    expect(confirmed.paymentId).toBe(paymentId);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment).toMatchObject({
      status: "PAID",
      billingKey: confirmed.billingKey,
      amount: { total: 9_900 },
    });
    // A server-side charge is paid at once: no Transaction.Ready, as for payWithBillingKey.
    expect(await webhooks((data) => data.paymentId === paymentId)).toEqual(["Transaction.Paid"]);
    expect(await webhooks((data) => data.billingKey === confirmed.billingKey)).toEqual([
      "BillingKey.Issued",
    ]);
    const keyOnly = (await windowIssue({})).body.billingIssueToken as string;
    const noPayment = await portOneError(
      api.confirmBillingKeyIssueAndPay({ billingIssueToken: keyOnly }),
    );
    expect(noPayment.data.type).toBe("INVALID_REQUEST");
  });

  it("issues at once on a channel without manual confirmation", async () => {
    const issued = await windowIssue({ channelKey: "channel-main" });
    expect(issued.body.billingKey).toMatch(/^billing-key-/);
    expect(issued.body.billingIssueToken).toBeUndefined();
  });
});

describe("payment sessions and checkout profiles", () => {
  it("evaluates the default profile per order", async () => {
    const client = ourClient();
    const domestic = await client.checkoutProfile.evaluateCheckoutProfile({
      profileKey: "sandbox-checkout-profile",
      country: "KR",
      currency: "KRW",
      amount: 50,
    });
    expect(domestic.methods?.map((m) => m.paymentMethod)).toEqual([
      "CARD_KR",
      "KAKAO_PAY",
      "N_PAY",
    ]);
    expect(domestic.methods?.[0]?.channelKey).toBe("channel-main");
    const abroad = await client.checkoutProfile.evaluateCheckoutProfile({
      profileKey: "sandbox-checkout-profile",
      country: "US",
      currency: "USD",
      amount: 5_000,
    });
    expect(abroad.methods?.map((m) => m.paymentMethod)).toEqual(["CARD_INTERNATIONAL", "PAY_PAL"]);
    const missing = await portOneError(
      client.checkoutProfile.evaluateCheckoutProfile({
        profileKey: "nope",
        country: "KR",
        currency: "KRW",
        amount: 1,
      }),
    );
    expect(missing.data.type).toBe("PROFILE_SETTINGS_NOT_FOUND");
  });

  it("creates a hosted checkout, pays it through the profile's channel, and closes it", async () => {
    const client = ourClient();
    const paymentId = newPaymentId("session");
    const created = await client.paymentSession.createPaymentSession({
      storeId: running.sandbox.storeId,
      paymentId,
      profileKey: "sandbox-checkout-profile",
      country: "KR",
      currency: "KRW",
      totalAmount: 12_000,
      orderName: "Hosted order",
      redirectUrl: "https://shop.example/return",
      ttlSeconds: 600,
    });
    expect(created.url).toBe(`${running.url}/sandbox/payment-sessions/${created.sessionId}`);
    const page = await fetch(created.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Hosted order");
    const session = await client.paymentSession.getPaymentSession({ sessionId: created.sessionId });
    expect(session).toMatchObject({
      paymentId,
      totalAmount: 12_000,
      redirectUrl: "https://shop.example/return",
    });

    const completed = await running.api(
      "POST",
      `/sandbox/payment-sessions/${created.sessionId}/complete`,
      {
        auth: false,
        body: { paymentMethod: "KAKAO_PAY" },
      },
    );
    expect(completed.status, completed.text).toBe(200);
    const redirect = new URL(completed.body.redirectUrl);
    expect(redirect.searchParams.get("paymentId")).toBe(paymentId);
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment).toMatchObject({ status: "PAID", channel: { key: "channel-main" } });
    const expired = await portOneError(
      client.paymentSession.getPaymentSession({ sessionId: created.sessionId }),
    );
    expect(expired.data.type).toBe("SESSION_EXPIRED");
    expect(await webhooks((data) => data.paymentId === paymentId)).toEqual([
      "Transaction.Ready",
      "Transaction.Paid",
    ]);

    const tooLong = await portOneError(
      client.paymentSession.createPaymentSession({
        storeId: running.sandbox.storeId,
        paymentId: newPaymentId(),
        profileKey: "sandbox-checkout-profile",
        country: "KR",
        currency: "KRW",
        totalAmount: 1,
        orderName: "x",
        ttlSeconds: 7 * 24 * 3600,
      }),
    );
    expect(tooLong.data.type).toBe("MAX_TTL_EXCEEDED");
    const other = await client.paymentSession.createPaymentSession({
      storeId: running.sandbox.storeId,
      paymentId: newPaymentId(),
      profileKey: "sandbox-checkout-profile",
      country: "KR",
      currency: "KRW",
      totalAmount: 1_000,
      orderName: "closed early",
    });
    const closed = await client.paymentSession.closePaymentSession({ sessionId: other.sessionId });
    expect(Date.parse(closed.closedAt)).not.toBeNaN();
    const unknown = await portOneError(
      client.paymentSession.closePaymentSession({ sessionId: "nope" }),
    );
    expect(unknown.data.type).toBe("SESSION_NOT_FOUND");
  });

  it("lists the banks with their Korean names", async () => {
    const { items } = await ourClient().common.getBankInfos();
    expect(items.find((item) => item.bank === "KOOKMIN")?.name.ko).toBe("국민은행");
    expect(items.length).toBeGreaterThan(40);
  });
});

expectEveryOperationChecked("verification and session", verificationAndSessionOperations);
