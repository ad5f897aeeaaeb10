import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { useCheckedSandbox } from "../support/checked-sandbox.js";
import { known, newPaymentId, portOneError } from "../support/sandbox.js";
import { expectEveryOperationChecked } from "../support/schema-check.js";
import { billingOperations } from "./support/operations.js";

const card = { credential: { number: "5365-1000-0000-1234", expiryYear: "30", expiryMonth: "12" } };

let now = Date.parse("2030-01-01T00:00:00Z");
const running = useCheckedSandbox({ clock: { now: () => now } });

async function issue(customerId = "customer-1") {
  const { billingKeyInfo } = await running.client.payment.billingKey.issueBillingKey({
    method: { card },
    customer: { id: customerId, name: { full: "Lee Billing" } },
  });
  return billingKeyInfo.billingKey;
}

describe("billing keys", () => {
  it("issues, reads, lists and deletes a billing key", async () => {
    const { billingKey: keys } = running.client.payment;
    const billingKey = await issue("customer-list");
    const info = await keys.getBillingKeyInfo({ billingKey });
    expect(info).toMatchObject({
      status: "ISSUED",
      billingKey,
      customer: { id: "customer-list", name: "Lee Billing" },
    });
    if (info.status !== "ISSUED") throw new Error("unreachable");
    expect(info.methods?.[0]).toMatchObject({
      type: "BillingKeyPaymentMethodCard",
      card: { number: "536510******1234" },
    });

    const listed = await keys.getBillingKeyInfos({
      filter: { customerId: "customer-list", status: ["ISSUED"] },
    });
    expect(listed.items.map((item) => known(item).billingKey)).toEqual([billingKey]);
    const searched = await keys.getBillingKeyInfos({
      filter: {
        textSearch: { field: "CUSTOMER_NAME", value: "Lee Billing" },
        methods: ["CARD"],
        customerId: "customer-list",
      },
    });
    expect(searched.page.totalCount).toBe(1);
    const byTransfer = await keys.getBillingKeyInfos({
      filter: { customerId: "customer-list", methods: ["TRANSFER"] },
    });
    expect(byTransfer.page.totalCount).toBe(0);

    const deleted = await keys.deleteBillingKey({ billingKey, reason: "customer left" });
    expect(Date.parse(deleted.deletedAt)).not.toBeNaN();
    expect((await keys.getBillingKeyInfo({ billingKey })).status).toBe("DELETED");
    const again = await portOneError(keys.deleteBillingKey({ billingKey }));
    expect(again.data.type).toBe("BILLING_KEY_ALREADY_DELETED");
    const missing = await portOneError(keys.getBillingKeyInfo({ billingKey: "billing-key-nope" }));
    expect(missing.data.type).toBe("BILLING_KEY_NOT_FOUND");
  });

  it("answers PG_PROVIDER for the sandbox's declined card", async () => {
    const error = await portOneError(
      running.client.payment.billingKey.issueBillingKey({
        method: {
          card: { credential: { number: "4000000000000002", expiryYear: "30", expiryMonth: "01" } },
        },
      }),
    );
    expect(error.data).toMatchObject({ type: "PG_PROVIDER", pgCode: expect.any(String) });
  });
});

describe("payWithBillingKey and payInstantly", () => {
  it("pays with a billing key and refuses to pay the same payment id twice", async () => {
    const billingKey = await issue();
    const paymentId = newPaymentId("billing");
    const input = {
      paymentId,
      billingKey,
      orderName: "Monthly plan",
      amount: { total: 9_900 },
      currency: "KRW" as const,
    };
    const { payment } = await running.client.payment.payWithBillingKey(input);
    expect(payment.pgTxId).toEqual(expect.any(String));
    const paid = known(await running.client.payment.getPayment({ paymentId }));
    expect(paid).toMatchObject({ status: "PAID", billingKey, amount: { total: 9_900 } });
    expect(paid).toMatchObject({ origin: { platformType: "API" } });

    const twice = await portOneError(running.client.payment.payWithBillingKey(input));
    expect(twice.data.type).toBe("ALREADY_PAID");
  });

  it("refuses a deleted or unknown billing key", async () => {
    const billingKey = await issue();
    await running.client.payment.billingKey.deleteBillingKey({ billingKey });
    const deleted = await portOneError(
      running.client.payment.payWithBillingKey({
        paymentId: newPaymentId(),
        billingKey,
        orderName: "x",
        amount: { total: 100 },
        currency: "KRW",
      }),
    );
    expect(deleted.data.type).toBe("BILLING_KEY_ALREADY_DELETED");
    const unknown = await portOneError(
      running.client.payment.payWithBillingKey({
        paymentId: newPaymentId(),
        billingKey: "billing-key-unknown",
        orderName: "x",
        amount: { total: 100 },
        currency: "KRW",
      }),
    );
    expect(unknown.data.type).toBe("BILLING_KEY_NOT_FOUND");
  });

  it("pays instantly by card, and records a declined card as a failed payment", async () => {
    const paymentId = newPaymentId("instant");
    await running.client.payment.payInstantly({
      paymentId,
      method: { card },
      orderName: "One-off",
      amount: { total: 1_500 },
      currency: "KRW",
    });
    expect(known(await running.client.payment.getPayment({ paymentId })).status).toBe("PAID");

    const declinedId = newPaymentId("instant");
    const declined = await portOneError(
      running.client.payment.payInstantly({
        paymentId: declinedId,
        method: {
          card: { credential: { number: "4000000000000002", expiryYear: "30", expiryMonth: "01" } },
        },
        orderName: "One-off",
        amount: { total: 1_500 },
        currency: "KRW",
      }),
    );
    expect(declined.data.type).toBe("PG_PROVIDER");
    expect(known(await running.client.payment.getPayment({ paymentId: declinedId })).status).toBe(
      "FAILED",
    );
  });
});

describe("payment schedules on the sandbox clock", () => {
  it("runs a due schedule when the clock passes timeToPay", async () => {
    const sandbox: Sandbox = running.sandbox;
    const { paymentSchedule } = running.client.payment;
    const billingKey = await issue();
    const paymentId = newPaymentId("scheduled");
    const timeToPay = new Date(now + 60 * 60 * 1000).toISOString();
    const { schedule } = await paymentSchedule.createPaymentSchedule({
      paymentId,
      payment: { billingKey, orderName: "Next month", amount: { total: 12_000 }, currency: "KRW" },
      timeToPay,
    });
    expect(
      (await paymentSchedule.getPaymentSchedule({ paymentScheduleId: schedule.id })).status,
    ).toBe("SCHEDULED");
    const duplicate = await portOneError(
      paymentSchedule.createPaymentSchedule({
        paymentId,
        payment: { billingKey, orderName: "x", amount: { total: 1 }, currency: "KRW" },
        timeToPay,
      }),
    );
    expect(duplicate.data.type).toBe("PAYMENT_SCHEDULE_ALREADY_EXISTS");
    const blocked = await portOneError(
      running.client.payment.billingKey.deleteBillingKey({ billingKey }),
    );
    expect(blocked.data.type).toBe("PAYMENT_SCHEDULE_ALREADY_EXISTS");

    const advanced = await running.api("POST", "/sandbox/clock/advance", {
      auth: false,
      body: { ms: 30 * 60 * 1000 },
    });
    expect(Date.parse(advanced.body.now)).toBe(now + 30 * 60 * 1000);
    expect(
      (await paymentSchedule.getPaymentSchedule({ paymentScheduleId: schedule.id })).status,
    ).toBe("SCHEDULED");
    now += 31 * 60 * 1000;
    await sandbox.advanceClock(0);
    const done = await paymentSchedule.getPaymentSchedule({ paymentScheduleId: schedule.id });
    expect(done.status).toBe("SUCCEEDED");
    const payment = known(await running.client.payment.getPayment({ paymentId }));
    expect(payment).toMatchObject({ status: "PAID", scheduleId: schedule.id, billingKey });

    const listed = await paymentSchedule.getPaymentSchedules({
      filter: { billingKey, status: ["SUCCEEDED"] },
    });
    expect(listed.items.map((item) => known(item).id)).toEqual([schedule.id]);
  });

  it("revokes schedules by id and by billing key", async () => {
    const { paymentSchedule } = running.client.payment;
    const billingKey = await issue();
    const timeToPay = new Date(now + 24 * 60 * 60 * 1000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { schedule } = await paymentSchedule.createPaymentSchedule({
        paymentId: newPaymentId("revoke"),
        payment: {
          billingKey,
          orderName: `Instalment ${i}`,
          amount: { total: 1_000 },
          currency: "KRW",
        },
        timeToPay,
      });
      ids.push(schedule.id);
    }
    const first = await paymentSchedule.revokePaymentSchedules({ scheduleIds: [ids[0] as string] });
    expect(first.revokedScheduleIds).toEqual([ids[0]]);
    const again = await portOneError(
      paymentSchedule.revokePaymentSchedules({ scheduleIds: [ids[0] as string] }),
    );
    expect(again.data.type).toBe("PAYMENT_SCHEDULE_ALREADY_REVOKED");
    const rest = await paymentSchedule.revokePaymentSchedules({ billingKey });
    expect(rest.revokedScheduleIds.sort()).toEqual(ids.slice(1).sort());
    await running.sandbox.advanceClock(2 * 24 * 60 * 60 * 1000);
    const revoked = await paymentSchedule.getPaymentSchedules({ filter: { billingKey } });
    expect(revoked.items.map((item) => item.status)).toEqual(["REVOKED", "REVOKED", "REVOKED"]);
    const missing = await portOneError(
      paymentSchedule.getPaymentSchedule({ paymentScheduleId: "nope" }),
    );
    expect(missing.data.type).toBe("PAYMENT_SCHEDULE_NOT_FOUND");
  });
});

expectEveryOperationChecked("billing", billingOperations);
