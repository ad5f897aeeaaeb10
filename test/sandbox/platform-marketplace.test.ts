import { describe, expect, it } from "vitest";
import { useCheckedSandbox } from "../support/checked-sandbox.js";
import { newPaymentId } from "../support/sandbox.js";
import { expectEveryOperationChecked } from "../support/schema-check.js";

const sandbox = useCheckedSandbox();
const DAY_MS = 24 * 60 * 60 * 1000;

/** A paid card payment of the sandbox (the browser checkout, driven by POST /sandbox/checkout). */
async function paidOrder(totalAmount: number): Promise<string> {
  const paymentId = newPaymentId();
  const checkout = await sandbox.checkout({
    paymentId,
    totalAmount,
    orderName: `order ${paymentId}`,
  });
  expect(checkout.status).toBe(200);
  return paymentId;
}

const business = (brn: string) => ({
  business: {
    companyName: `Shop ${brn}`,
    businessRegistrationNumber: brn,
    representativeName: "Kim",
    taxationType: "NORMAL" as const,
  },
});

/** A 10 % contract, a half-shared coupon, a 2 % fulfilment fee, and sellers A and B. */
async function openMarketplace(suffix: string) {
  const { platform } = sandbox.client;
  // 10 % platform fee (rate in 10^-5), the partner pays its VAT; settled the next calendar day.
  const { contract } = await platform.policy.createPlatformContract({
    id: `contract-${suffix}`,
    name: "standard 10 %",
    platformFee: { fixedRate: 10_000 },
    settlementCycle: { lagDays: 1, datePolicy: "CALENDAR_DAY", method: { daily: {} } },
    platformFeeVatPayer: "PARTNER",
    subtractPaymentVatAmount: false,
  });
  const { discountSharePolicy } = await platform.policy.createPlatformDiscountSharePolicy({
    name: "half-shared coupon",
    partnerShareRate: 50_000,
  });
  const { additionalFeePolicy } = await platform.policy.createPlatformAdditionalFeePolicy({
    name: "fulfilment 2 %",
    fee: { fixedRate: 2_000 },
    vatPayer: "PARTNER",
  });
  await platform.updatePlatformSetting({ deductWht: true, settlementAmountType: "GROSS" });

  const { partners } = await platform.partner.createPlatformPartners({
    partners: [
      {
        id: `seller-a-${suffix}`,
        name: "Seller A",
        contact: { name: "A", email: "a@example.com" },
        account: { bank: "KOOKMIN", currency: "KRW", number: "12345678901", holder: "Seller A" },
        defaultContractId: contract.id,
        tags: ["food"],
        type: business("1234567890"),
      },
      {
        id: `seller-b-${suffix}`,
        name: "Seller B",
        contact: { name: "B", email: "b@example.com" },
        account: { bank: "SHINHAN", currency: "KRW", number: "11122233344", holder: "Seller B" },
        defaultContractId: contract.id,
        tags: ["craft"],
        type: { whtPayer: { birthdate: "1990-01-01" } },
      },
    ],
  });
  const [sellerA, sellerB] = partners as [(typeof partners)[0], (typeof partners)[0]];
  return { contract, discountSharePolicy, additionalFeePolicy, sellerA, sellerB };
}

type Marketplace = Awaited<ReturnType<typeof openMarketplace>>;

async function registerTwoOrders(m: Marketplace) {
  const { platform } = sandbox.client;
  const { sellerA, sellerB, discountSharePolicy, additionalFeePolicy } = m;
  // Order 1: 30,000 paid; A sold 20,000 with a 2,000 coupon (half A's), B sold 12,000.
  const order1 = await paidOrder(30_000);
  const a1 = await platform.transfer.createPlatformOrderTransfer({
    partnerId: sellerA.id,
    paymentId: order1,
    orderDetail: { orderAmount: 20_000 },
    discounts: [{ sharePolicyId: discountSharePolicy.id, amount: 2_000 }],
    additionalFees: [],
  });
  const b1 = await platform.transfer.createPlatformOrderTransfer({
    partnerId: sellerB.id,
    paymentId: order1,
    orderDetail: { orderAmount: 12_000 },
    discounts: [],
    additionalFees: [{ policyId: additionalFeePolicy.id }],
  });
  // Order 2: 10,000 paid, all A's, with the fulfilment fee.
  const order2 = await paidOrder(10_000);
  const a2 = await platform.transfer.createPlatformOrderTransfer({
    partnerId: sellerA.id,
    paymentId: order2,
    orderDetail: {
      orderLines: [
        {
          product: { id: "tea", name: "Tea", amount: 5_000 },
          quantity: 2,
          discounts: [],
          additionalFees: [],
        },
      ],
    },
    discounts: [],
    additionalFees: [{ policyId: additionalFeePolicy.id }],
  });
  return { order1, a1, b1, a2 };
}

type Orders = Awaited<ReturnType<typeof registerTwoOrders>>;

/** Each transfer settles what the contract and policies make of it, worked out by hand. */
function expectOrderFigures({ a1, b1, a2 }: Orders): void {
  // order 20,000 − share 1,000 = 19,000; fee 1,900 + VAT 190 → 16,910.
  expect(a1.transfer.amount).toMatchObject({
    order: 20_000,
    discount: 2_000,
    discountShare: 1_000,
    payment: 18_000,
    paymentVat: 1_636,
    paymentSupply: 16_364,
    platformFee: 1_900,
    platformFeeVat: 190,
    additionalFee: 0,
    settlement: 16_910,
  });
  // 12,000; fee 1,200 + 120; fulfilment 240 + 24 → 10,416.
  expect(b1.transfer.amount).toMatchObject({
    payment: 12_000,
    paymentVat: 1_091,
    platformFee: 1_200,
    platformFeeVat: 120,
    additionalFee: 240,
    additionalFeeVat: 24,
    settlement: 10_416,
  });
  // 10,000; fee 1,000 + 100; fulfilment 200 + 20 → 8,680.
  expect(a2.transfer.amount).toMatchObject({
    payment: 10_000,
    platformFee: 1_000,
    additionalFee: 200,
    settlement: 8_680,
  });
  if (a2.transfer.type !== "ORDER") throw new Error("an order transfer");
  expect(a2.transfer.orderLines[0]?.amount).toMatchObject({ order: 10_000, platformFee: 1_000 });
}

async function returnPartOfSellerBsOrder(m: Marketplace, order1: string) {
  const { platform } = sandbox.client;
  const { sellerB } = m;
  // B's customer returns 6,000 worth: a PortOne cancellation, then its order-cancel transfer.
  const { cancellation: cancelled } = await sandbox.client.payment.cancelPayment({
    paymentId: order1,
    amount: 6_000,
    reason: "return",
  });
  const cancellationId = (cancelled as { id: string }).id;
  await expect(
    platform.transfer.createPlatformOrderCancelTransfer({
      partnerId: sellerB.id,
      paymentId: order1,
      cancellationId: cancellationId,
      orderDetail: { orderAmount: 7_000 },
      discounts: [],
    }),
  ).rejects.toMatchObject({
    data: {
      type: "PLATFORM_SETTLEMENT_CANCEL_AMOUNT_EXCEEDED_PORT_ONE_CANCEL",
      portOneCancelAmount: 6_000,
    },
  });
  const b1Cancel = await platform.transfer.createPlatformOrderCancelTransfer({
    partnerId: sellerB.id,
    paymentId: order1,
    cancellationId: cancellationId,
    orderDetail: { orderAmount: 6_000 },
    discounts: [],
  });
  // 6,000; fee 600 + 60; fulfilment 120 + 12 → 5,208 taken back.
  expect(b1Cancel.transfer.amount).toMatchObject({
    order: -6_000,
    payment: -6_000,
    platformFee: -600,
    platformFeeVat: -60,
    additionalFee: -120,
    additionalFeeVat: -12,
    settlement: -5_208,
  });
  return b1Cancel;
}

/** Past the settlement date: one settlement per partner, type and contract. */
async function settleAfterTwoDays(
  m: Marketplace,
  { a1, b1, a2 }: Orders,
  b1Cancel: Awaited<ReturnType<typeof returnPartOfSellerBsOrder>>,
) {
  const { platform } = sandbox.client;
  const { sellerA, sellerB } = m;
  const today = a1.transfer.settlementDate;
  for (const { transfer } of [a1, b1, a2, b1Cancel]) {
    expect(transfer.status).toBe("SCHEDULED");
    expect(transfer.settlementDate).toBe(today);
  }
  const before = await platform.partnerSettlement.getPlatformPartnerSettlements({
    filter: { partnerIds: [sellerA.id, sellerB.id] },
  });
  expect(before.items).toEqual([]);

  // Two days on, the settlement date has come: one settlement per partner, type and contract.
  await sandbox.sandbox.advanceClock(2 * DAY_MS);
  const settled = await platform.partnerSettlement.getPlatformPartnerSettlements({
    filter: { partnerIds: [sellerA.id, sellerB.id] },
  });
  const byKey = new Map(
    settled.items.map((s) => [
      `${(s as { partner: { id: string } }).partner.id}/${String(s.type)}`,
      s as { id: string; amount: { settlement: number; payment: number } },
    ]),
  );
  expect(settled.items).toHaveLength(3);
  expect(settled.counts.payoutPrepared).toBe(3);
  expect(byKey.get(`${sellerA.id}/ORDER`)?.amount).toMatchObject({
    settlement: 16_910 + 8_680,
    payment: 28_000,
  });
  expect(byKey.get(`${sellerB.id}/ORDER`)?.amount).toMatchObject({
    settlement: 10_416,
    payment: 12_000,
  });
  expect(byKey.get(`${sellerB.id}/ORDER_CANCEL`)?.amount).toMatchObject({
    settlement: -5_208,
    payment: -6_000,
  });
  // What the transfers settle is what the customers paid net of the refund: 40,000 − 6,000.
  const payments = settled.items.reduce(
    (sum, s) => sum + (s as { amount: { payment: number } }).amount.payment,
    0,
  );
  expect(payments).toBe(34_000);
  const transferA1 = await platform.transfer.getPlatformTransfer({ id: a1.transfer.id });
  expect((transferA1 as { status: string }).status).toBe("SETTLED");
  return settled;
}

/** The merchant pays all three settlements: two payouts in one bulk, two withdrawals. */
async function payOutInOneBulk(
  m: Marketplace,
  suffix: string,
  settled: Awaited<ReturnType<typeof settleAfterTwoDays>>,
) {
  const { platform } = sandbox.client;
  const { sellerA, sellerB } = m;
  const completed = await sandbox.api("POST", "/platform/partner-settlements/complete-payout", {
    body: {
      bulkPayoutId: `bulk-${suffix}`,
      partnerSettlementIds: settled.items.map((s) => (s as { id: string }).id),
    },
  });
  expect(completed.status).toBe(200);
  expect(completed.body).toMatchObject({
    bulkPayoutId: `bulk-${suffix}`,
    payoutCount: 2,
    partnerSettlementCount: 3,
  });

  const payouts = await platform.payout.getPlatformPayouts({
    filter: { criteria: { bulkPayoutId: `bulk-${suffix}` } },
  });
  const payoutOf = (id: string) => payouts.items.find((p) => p.partner.id === id);
  // A, a VAT-registered business: 25,590 gross, VAT 1/11 of it.
  expect(payoutOf(sellerA.id)).toMatchObject({
    status: "SUCCEEDED",
    settlementAmount: 25_590,
    vatAmount: 2_326,
    supplyAmount: 23_264,
    incomeTaxAmount: 0,
    amount: 25_590,
  });
  // B, a withholding-tax payer: 10,416 − 5,208 = 5,208; 3 % income tax 150, local 10.
  expect(payoutOf(sellerB.id)).toMatchObject({
    settlementAmount: 5_208,
    vatAmount: 0,
    incomeTaxAmount: 150,
    localIncomeTaxAmount: 10,
    amount: 5_048,
  });
  expect(payouts.counts.succeeded).toBe(2);

  const bulk = await platform.bulkPayout.getPlatformBulkPayouts({
    filter: { criteria: { bulkPayoutId: `bulk-${suffix}` } },
  });
  expect(bulk.items[0]).toMatchObject({
    status: "COMPLETED",
    totalPayoutAmount: 30_638,
    totalSettlementAmount: 30_798,
  });
  const withdrawals = await platform.accountTransfer.getPlatformAccountTransfers({
    filter: { bulkAccountTransferId: `bulk-${suffix}-transfers` },
  });
  expect(
    withdrawals.items.map((w) => (w as { amount: number }).amount).sort((x, y) => x - y),
  ).toEqual([5_048, 25_590]);
  const bulkTransfers = await platform.bulkAccountTransfer.getPlatformBulkAccountTransfers({});
  expect(bulkTransfers.items.find((b) => b.id === `bulk-${suffix}-transfers`)?.totalAmount).toBe(
    30_638,
  );
}

describe("a marketplace settles two orders across two partners, one partly cancelled", () => {
  it("computes transfers, settlements and payouts that add up to the hand-computed figures", async () => {
    const { platform } = sandbox.client;
    const suffix = newPaymentId();
    const m = await openMarketplace(suffix);
    const { contract, sellerA, sellerB } = m;
    const orders = await registerTwoOrders(m);
    const { order1, a1, a2 } = orders;
    expectOrderFigures(orders);

    // The payment has no room for more: 30,000 are already split.
    await expect(
      platform.transfer.createPlatformOrderTransfer({
        partnerId: sellerA.id,
        paymentId: order1,
        contractId: contract.id,
        orderDetail: { orderAmount: 1 },
        discounts: [],
        additionalFees: [],
      }),
    ).rejects.toMatchObject({
      data: {
        type: "PLATFORM_SETTLEMENT_PAYMENT_AMOUNT_EXCEEDED_PORT_ONE_PAYMENT",
        registeredSettlementPaymentAmount: 30_000,
        requestSettlementPaymentAmount: 1,
        portOnePaymentAmount: 30_000,
      },
    });

    const b1Cancel = await returnPartOfSellerBsOrder(m, order1);
    const settled = await settleAfterTwoDays(m, orders, b1Cancel);
    await payOutInOneBulk(m, suffix, settled);

    const paidOut = await platform.partnerSettlement.getPlatformPartnerSettlements({
      filter: { partnerIds: [sellerA.id, sellerB.id] },
    });
    expect(paidOut.counts).toMatchObject({ payoutPrepared: 0, paidOut: 3 });
    const summaries = await platform.transfer.getPlatformTransferSummaries({
      filter: { keyword: { partnerId: sellerB.id } },
    });
    expect(summaries.transferSummaries.map((s) => (s as { status: string }).status)).toEqual([
      "PAID_OUT",
      "PAID_OUT",
    ]);
    await expect(
      platform.transfer.deletePlatformTransfer({ id: a1.transfer.id }),
    ).rejects.toMatchObject({
      data: { type: "PLATFORM_TRANSFER_NON_DELETABLE_STATUS" },
    });
    const again = await sandbox.api("POST", "/platform/partner-settlements/complete-payout", {
      body: {
        bulkPayoutId: `bulk-again-${suffix}`,
        partnerSettlementIds: [(paidOut.items[0] as { id: string }).id],
      },
    });
    expect(again.body.type).toBe("PLATFORM_NON_PAYABLE_PARTNER_SETTLEMENTS");

    const sheet = await platform.transfer.downloadPlatformTransferSheet({
      filter: { keyword: { partnerId: sellerA.id } },
      fields: ["id", "paymentAmount", "settlementAmount"],
    });
    expect(sheet.trim().split("\r\n").sort()).toEqual(
      [
        "id,paymentAmount,settlementAmount",
        `${a1.transfer.id},18000,16910`,
        `${a2.transfer.id},10000,8680`,
      ].sort(),
    );
  });
});

expectEveryOperationChecked("platform payouts", [
  "createPlatformPartners",
  "createPlatformOrderTransfer",
  "createPlatformOrderCancelTransfer",
  "getPlatformPartnerSettlements",
  "completePlatformPayoutByPartnerSettlementIds",
  "getPlatformPayouts",
  "getPlatformBulkPayouts",
  "getPlatformAccountTransfers",
  "getPlatformBulkAccountTransfers",
  "getPlatformTransferSummaries",
  "downloadPlatformTransferSheet",
]);
