import { describe, expect, it } from "vitest";
import { settlementDateFor } from "../../src/sandbox/platform/settlement-dates.js";
import { payoutFigures, settle } from "../../src/sandbox/platform/settlement-math.js";
import type {
  PlatformContract,
  PlatformSettlementCycle,
} from "../../src/sdk/generated/platform/types.js";

const contract = (overrides: Partial<PlatformContract> = {}): PlatformContract => ({
  id: "c",
  graphqlId: "c",
  name: "c",
  platformFee: { type: "FIXED_RATE", rate: 10_000 },
  settlementCycle: { lagDays: 0, datePolicy: "CALENDAR_DAY", method: { type: "DAILY" } },
  platformFeeVatPayer: "PARTNER",
  subtractPaymentVatAmount: false,
  isArchived: false,
  appliedAt: "2025-01-01T00:00:00.000Z",
  isForTest: false,
  ...overrides,
});

describe("settle", () => {
  it("reproduces PortOne's documented example: 10,000 at 10 % settles 8,900", () => {
    const { amount } = settle({
      order: 10_000,
      orderTaxFree: 0,
      discounts: [],
      additionalFees: [],
      contract: contract(),
      chargeFixedAmounts: true,
    });
    expect(amount).toMatchObject({
      payment: 10_000,
      platformFee: 1_000,
      platformFeeVat: 100,
      settlement: 8_900,
    });
  });

  it("leaves the fee VAT to the merchant, subtracts the payment VAT, and shares tax-free discounts", () => {
    const policy = {
      id: "d",
      graphqlId: "d",
      name: "d",
      partnerShareRate: 30_000,
      isArchived: false,
      appliedAt: "",
      isForTest: false,
    };
    const { amount, discounts } = settle({
      order: 22_000,
      orderTaxFree: 2_000,
      discounts: [{ policy, amount: 1_000, taxFreeAmount: 500 }],
      additionalFees: [],
      contract: contract({
        platformFeeVatPayer: "MERCHANT",
        subtractPaymentVatAmount: true,
        platformFee: { type: "FIXED_AMOUNT", amount: 700 },
      }),
      chargeFixedAmounts: true,
    });
    // payment 21,000 (tax-free 1,500): VAT 19,500 / 11 = 1,773; share 300 (tax-free 150).
    expect(amount).toMatchObject({
      payment: 21_000,
      paymentTaxFree: 1_500,
      paymentVat: 1_773,
      paymentVatBurden: 1_773,
      discountShare: 300,
      discountShareTaxFree: 150,
      platformFee: 700,
      platformFeeVat: 70,
      settlement: 22_000 - 300 - 700 - 1_773,
      settlementTaxFree: 2_000 - 150,
    });
    expect(discounts[0]).toMatchObject({ shareAmount: 300, shareTaxFreeAmount: 150 });
  });

  it("gives fixed-amount fees back never (cancellations do not charge them)", () => {
    const { amount } = settle({
      order: 1_000,
      orderTaxFree: 0,
      discounts: [],
      additionalFees: [],
      contract: contract({ platformFee: { type: "FIXED_AMOUNT", amount: 300 } }),
      chargeFixedAmounts: false,
    });
    expect(amount).toMatchObject({ platformFee: 0, settlement: 1_000 });
  });
});

describe("payoutFigures", () => {
  it("takes VAT out of GROSS and adds it to NET settlements of VAT-registered partners", () => {
    expect(
      payoutFigures(11_000, 0, { vatRegistered: true, amountType: "GROSS", withholds: false }),
    ).toMatchObject({
      amount: 11_000,
      vatAmount: 1_000,
      supplyAmount: 10_000,
    });
    expect(
      payoutFigures(10_000, 0, { vatRegistered: true, amountType: "NET", withholds: false }),
    ).toMatchObject({
      amount: 11_000,
      vatAmount: 1_000,
      supplyAmount: 10_000,
    });
  });

  it("withholds 3.3 % in 10-won steps", () => {
    // 3 % of 123,456 = 3,703.68 -> 3,700; 10 % of that = 370.
    expect(
      payoutFigures(123_456, 0, { vatRegistered: false, amountType: "GROSS", withholds: true }),
    ).toMatchObject({
      incomeTaxAmount: 3_700,
      localIncomeTaxAmount: 370,
      amount: 123_456 - 4_070,
    });
  });
});

describe("settlementDateFor", () => {
  const cycle = (c: Partial<PlatformSettlementCycle>): PlatformSettlementCycle => ({
    lagDays: 0,
    datePolicy: "CALENDAR_DAY",
    method: { type: "DAILY" },
    ...c,
  });

  it("adds the lag, finds the cycle day and moves off weekends by the date policy", () => {
    // 2025-03-06 is a Thursday.
    expect(settlementDateFor(cycle({ lagDays: 2 }), "2025-03-06", false)).toBe("2025-03-08");
    expect(
      settlementDateFor(cycle({ lagDays: 2, datePolicy: "HOLIDAY_AFTER" }), "2025-03-06", false),
    ).toBe("2025-03-10");
    expect(
      settlementDateFor(cycle({ lagDays: 2, datePolicy: "HOLIDAY_BEFORE" }), "2025-03-06", false),
    ).toBe("2025-03-07");
    expect(
      settlementDateFor(
        cycle({ method: { type: "WEEKLY", daysOfWeek: ["TUE"] } }),
        "2025-03-06",
        false,
      ),
    ).toBe("2025-03-11");
    expect(
      settlementDateFor(
        cycle({ method: { type: "MONTHLY", daysOfMonth: [31] } }),
        "2025-04-02",
        false,
      ),
    ).toBe("2025-04-30");
    expect(
      settlementDateFor(
        cycle({ method: { type: "MANUAL_DATES", dates: [{ month: 1, day: 15 }] } }),
        "2025-03-06",
        false,
      ),
    ).toBe("2026-01-15");
  });

  it("never settles before the start date", () => {
    // Start Saturday 2025-03-08, no lag, HOLIDAY_BEFORE would give Friday the 7th: moved to Monday.
    expect(settlementDateFor(cycle({ datePolicy: "HOLIDAY_BEFORE" }), "2025-03-08", false)).toBe(
      "2025-03-10",
    );
  });
});
