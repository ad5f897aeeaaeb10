import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { paymentAmount } from "../../src/sandbox/domain/amounts.js";
import {
  type Cancellable,
  cancellableOf,
  planCancellation,
} from "../../src/sandbox/domain/cancellation.js";
import { PortOneApiError } from "../../src/sandbox/http/api-error.js";

/** The PortOne error type `plan` throws, or "none". */
function refusal(plan: () => unknown): string {
  try {
    plan();
  } catch (error) {
    if (error instanceof PortOneApiError) return error.type;
    throw error;
  }
  return "none";
}

// 11,000 KRW of which 1,000 tax-free: VAT 909 on the 10,000 taxable.
const fresh: Cancellable = { total: 11_000, taxFree: 1_000, vat: 909 };

describe("cancellableOf", () => {
  it("subtracts what earlier cancellations refunded", () => {
    const amount = { ...paymentAmount(11_000, 1_000), cancelled: 4_000, cancelledTaxFree: 200 };
    expect(cancellableOf(amount, 300)).toEqual({ total: 7_000, taxFree: 800, vat: 609 });
  });
});

describe("planCancellation", () => {
  it("cancels the whole rest, tax-free part and VAT included, when no amount is given", () => {
    expect(planCancellation(fresh, {})).toEqual({
      totalAmount: 11_000,
      taxFreeAmount: 1_000,
      vatAmount: 909,
    });
  });

  it("treats a partial amount without taxFreeAmount as all taxable, VAT 1/11", () => {
    expect(planCancellation(fresh, { amount: 4_000 })).toEqual({
      totalAmount: 4_000,
      taxFreeAmount: 0,
      vatAmount: 364,
    });
  });

  it("takes the VAT that is left when the amount given is the whole rest", () => {
    const left = { total: 7_000, taxFree: 1_000, vat: 545 };
    expect(planCancellation(left, { amount: 7_000, taxFreeAmount: 1_000 })).toEqual({
      totalAmount: 7_000,
      taxFreeAmount: 1_000,
      vatAmount: 545,
    });
  });

  it("keeps the parts the merchant gives", () => {
    expect(planCancellation(fresh, { amount: 2_000, taxFreeAmount: 500, vatAmount: 100 })).toEqual({
      totalAmount: 2_000,
      taxFreeAmount: 500,
      vatAmount: 100,
    });
  });

  it.each([
    [
      "a stale currentCancellableAmount",
      { currentCancellableAmount: 10_999 },
      "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN",
    ],
    ["an amount of 0", { amount: 0 }, "INVALID_REQUEST"],
    ["more than is left", { amount: 11_001 }, "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT"],
    [
      "a tax-free part above the amount",
      { amount: 500, taxFreeAmount: 600 },
      "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
    ],
    [
      "more tax-free money than is left",
      { amount: 2_000, taxFreeAmount: 1_001 },
      "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT",
    ],
    [
      "more taxable money than is left",
      { amount: 10_500 },
      "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT",
    ],
    [
      "tax-free part plus VAT above the amount",
      { amount: 1_000, taxFreeAmount: 500, vatAmount: 501 },
      "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
    ],
    ["more VAT than is left", { amount: 10_000, vatAmount: 910 }, "INVALID_REQUEST"],
  ])("refuses %s", (_case, request, type) => {
    expect(refusal(() => planCancellation(fresh, request))).toBe(type);
  });

  it("accepts the boundaries of those rules", () => {
    expect(refusal(() => planCancellation(fresh, { currentCancellableAmount: 11_000 }))).toBe(
      "none",
    );
    expect(refusal(() => planCancellation(fresh, { amount: 10_000 }))).toBe("none");
    expect(refusal(() => planCancellation(fresh, { amount: 1_000, taxFreeAmount: 1_000 }))).toBe(
      "none",
    );
    expect(refusal(() => planCancellation(fresh, { amount: 10_000, vatAmount: 909 }))).toBe("none");
  });

  it("never refunds more than was paid; an accepted rest cancellation empties every part", () => {
    const payment = fc
      .record({
        total: fc.integer({ min: 1, max: 200_000 }),
        taxFreeShare: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map(({ total, taxFreeShare }) => paymentAmount(total, Math.floor(total * taxFreeShare)));
    const partials = fc.array(
      fc.record({ share: fc.double({ min: 0, max: 1, noNaN: true }), taxFree: fc.boolean() }),
      { maxLength: 6 },
    );
    let emptied = 0;
    const runs = 1_000;
    fc.assert(
      fc.property(payment, partials, (amount, steps) => {
        let cancelled = 0;
        let cancelledTaxFree = 0;
        let cancelledVat = 0;
        const book = (parts: ReturnType<typeof planCancellation>) => {
          cancelled += parts.totalAmount;
          cancelledTaxFree += parts.taxFreeAmount;
          cancelledVat += parts.vatAmount;
        };
        const left = () => cancellableOf({ ...amount, cancelled, cancelledTaxFree }, cancelledVat);
        for (const step of steps) {
          const now = left();
          const request = {
            amount: Math.floor(now.total * step.share),
            ...(step.taxFree ? { taxFreeAmount: Math.floor(now.taxFree * step.share) } : {}),
          };
          if (refusal(() => planCancellation(now, request)) === "none") {
            book(planCancellation(now, request));
          }
          const after = left();
          expect(Math.min(after.total, after.taxFree, after.vat)).toBeGreaterThanOrEqual(0);
        }
        if (left().total === 0 || refusal(() => planCancellation(left(), {})) !== "none") return;
        book(planCancellation(left(), {}));
        expect(left()).toEqual({ total: 0, taxFree: 0, vat: 0 });
        emptied += 1;
      }),
      { seed: 20_260_415, numRuns: runs },
    );
    // The last claim must have been put to the test in most runs, not skipped.
    expect(emptied).toBeGreaterThan(runs / 2);
  });
});
