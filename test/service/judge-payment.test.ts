import { describe, expect, it } from "vitest";
import { judgePayment } from "../../src/payments/judge-payment.js";
import type { PortOnePayment } from "../../src/payments/ports.js";

const order = { totalAmount: 50_000, currency: "KRW", channelType: "LIVE" as const };
const paid: PortOnePayment = {
  status: "PAID",
  amount: { total: 50_000, paid: 50_000 },
  currency: "KRW",
  channel: { type: "LIVE" },
};

describe("judgePayment: PortOne's payment against the order", () => {
  it("a payment matching the order keeps PortOne's status", () => {
    expect(judgePayment(paid, order)).toEqual({ status: "PAID", mismatchReason: null });
    for (const status of ["PAY_PENDING", "VIRTUAL_ACCOUNT_ISSUED", "PARTIAL_CANCELLED"])
      expect(judgePayment({ ...paid, status }, order)?.status).toBe(status);
  });

  it("amount, currency or channel differing makes MISMATCH, with every reason", () => {
    expect(judgePayment({ ...paid, amount: { total: 1_000 } }, order)).toEqual({
      status: "MISMATCH",
      mismatchReason: "amount 1000 != order 50000",
    });
    expect(judgePayment({ ...paid, currency: "USD" }, order)?.mismatchReason).toBe(
      "currency USD != order KRW",
    );
    // A test-channel payment must never fulfil a live order.
    expect(judgePayment({ ...paid, channel: { type: "TEST" } }, order)?.mismatchReason).toBe(
      "channel TEST != expected LIVE",
    );
    const everything = judgePayment(
      { status: "PAID", amount: { total: 1 }, currency: "USD" },
      order,
    );
    expect(everything?.status).toBe("MISMATCH");
    expect(everything?.mismatchReason?.split("; ")).toHaveLength(3);
  });

  it("a tampered amount is caught while pending or awaiting a deposit too", () => {
    for (const status of ["PAY_PENDING", "VIRTUAL_ACCOUNT_ISSUED", "PARTIAL_CANCELLED"])
      expect(judgePayment({ ...paid, status, amount: { total: 10 } }, order)?.status).toBe(
        "MISMATCH",
      );
  });

  it("payments where no money moves are taken as they are", () => {
    for (const status of ["READY", "FAILED", "CANCELLED"])
      expect(judgePayment({ status, amount: { total: 1 } }, order)).toEqual({
        status,
        mismatchReason: null,
      });
  });

  it("a status this code does not know yet changes nothing", () => {
    expect(judgePayment({ ...paid, status: "SOMETHING_NEW" }, order)).toBeNull();
  });
});
