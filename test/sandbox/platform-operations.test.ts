import { describe, expect, it } from "vitest";
import { operationRoutes } from "../../src/sandbox/generated/operations.js";
import { useCheckedSandbox } from "../support/checked-sandbox.js";
import { newPaymentId, portOneError } from "../support/sandbox.js";
import { expectEveryOperationChecked } from "../support/schema-check.js";
import { platformOperations } from "./support/operations.js";

const sandbox = useCheckedSandbox();
const HOUR_MS = 60 * 60 * 1000;

/** The error type a call failed with (official SDK errors carry the PortOne body as `data`). */
async function failure(promise: Promise<unknown>): Promise<string> {
  return (await portOneError(promise)).data.type;
}

/** How far this file's tests moved the sandbox clock ahead of the wall clock. */
let offset = 0;
/** An hour ahead by the sandbox clock. */
async function inAnHour(): Promise<string> {
  return new Date(Date.now() + offset + HOUR_MS).toISOString();
}
async function advance(ms: number): Promise<void> {
  offset += ms;
  await sandbox.sandbox.advanceClock(ms);
}

async function newContract(name = "contract") {
  const { contract } = await sandbox.client.platform.policy.createPlatformContract({
    name,
    platformFee: { fixedRate: 5_000 },
    settlementCycle: {
      lagDays: 2,
      datePolicy: "HOLIDAY_AFTER",
      method: { weekly: { daysOfWeek: ["FRI"] } },
    },
    platformFeeVatPayer: "MERCHANT",
    subtractPaymentVatAmount: true,
  });
  return contract;
}

function partnerBody(contractId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: "Partner",
    contact: { name: "Lee", email: "lee@example.com" },
    account: {
      bank: "WOORI" as const,
      currency: "KRW" as const,
      number: "1002003004",
      holder: "Lee",
    },
    defaultContractId: contractId,
    tags: ["books"],
    type: { nonWhtPayer: {} },
    ...overrides,
  };
}

describe("partners", () => {
  it("creates, lists, updates, archives and recovers partners with PortOne's errors", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const id = newPaymentId("partner");
    const { partner } = await platform.partner.createPlatformPartner({
      id,
      ...partnerBody(contract.id),
    });
    expect(partner).toMatchObject({
      id,
      status: "APPROVED",
      isArchived: false,
      account: { status: "NOT_VERIFIED" },
    });
    expect(
      await failure(platform.partner.createPlatformPartner({ id, ...partnerBody(contract.id) })),
    ).toBe("PLATFORM_PARTNER_ID_ALREADY_EXISTS");
    expect(
      await failure(platform.partner.createPlatformPartner(partnerBody("no-such-contract"))),
    ).toBe("PLATFORM_CONTRACT_NOT_FOUND");
    expect(
      await failure(
        platform.partner.createPlatformPartner(
          partnerBody(contract.id, {
            account: { bank: "WOORI", currency: "JPY", number: "1", holder: "x" },
          }),
        ),
      ),
    ).toBe("PLATFORM_CURRENCY_NOT_SUPPORTED");

    expect((await platform.partner.getPlatformPartner({ id })).name).toBe("Partner");
    const listed = await platform.partner.getPlatformPartners({
      filter: { tags: ["books"], keyword: { id } },
    });
    expect(listed.items.map((p) => p.id)).toEqual([id]);
    expect(listed.page.totalCount).toBe(1);

    const { partner: updated } = await platform.partner.updatePlatformPartner({
      id,
      contact: { phoneNumber: "01012345678" },
      tags: ["books", "music"],
    });
    expect(updated.contact).toEqual({
      name: "Lee",
      phoneNumber: "01012345678",
      email: "lee@example.com",
    });
    expect((await platform.getPlatformPartnerFilterOptions({})).tags).toEqual(
      expect.arrayContaining(["books", "music"]),
    );

    expect((await platform.partner.archivePlatformPartner({ id })).partner.isArchived).toBe(true);
    expect(await failure(platform.partner.updatePlatformPartner({ id, name: "x" }))).toBe(
      "PLATFORM_ARCHIVED_PARTNER",
    );
    const archived = await platform.partner.getPlatformPartners({
      filter: { isArchived: true, ids: [id] },
    });
    expect(archived.items).toHaveLength(1);
    expect((await platform.partner.recoverPlatformPartner({ id })).partner.isArchived).toBe(false);
    expect(await failure(platform.partner.getPlatformPartner({ id: "nobody" }))).toBe(
      "PLATFORM_PARTNER_NOT_FOUND",
    );
  });

  it("creates partners in one batch, all or none", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const one = newPaymentId("batch");
    const duplicated = await portOneError(
      platform.partner.createPlatformPartners({
        partners: [
          { id: one, ...partnerBody(contract.id) },
          { id: one, ...partnerBody(contract.id) },
        ],
      }),
    );
    expect(duplicated.data).toMatchObject({ type: "PLATFORM_PARTNER_IDS_DUPLICATED", ids: [one] });
    const missing = await portOneError(
      platform.partner.createPlatformPartners({ partners: [{ id: one, ...partnerBody("gone") }] }),
    );
    expect(missing.data).toMatchObject({ type: "PLATFORM_CONTRACTS_NOT_FOUND", ids: ["gone"] });
    expect(await failure(platform.partner.getPlatformPartner({ id: one }))).toBe(
      "PLATFORM_PARTNER_NOT_FOUND",
    );
    const { partners } = await platform.partner.createPlatformPartners({
      partners: [{ id: one, ...partnerBody(contract.id) }],
    });
    expect(partners.map((p) => p.id)).toEqual([one]);
  });

  it("verifies accounts and companies by the sandbox's deterministic lookups", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const holder = await platform.account.getPlatformAccountHolder({
      bank: "KOOKMIN",
      accountNumber: "123456789012",
    });
    expect(holder.holderName).toBe(
      ["김민준", "이서연", "박지호", "최수아", "정예준", "강하은", "조도윤", "윤지우"][
        (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 0 + 1 + 2) % 8
      ],
    );
    const company = await platform.company.getPlatformCompanyState({
      businessRegistrationNumber: "2208162510",
    });
    expect(company.companyState).toMatchObject({
      businessStatus: "IN_BUSINESS",
      taxationType: "NORMAL",
    });
    // The looked-up account citing its lookup: verified once, refused to a second partner.
    const verifiedAccount = {
      bank: "KOOKMIN",
      currency: "KRW",
      number: "123456789012",
      holder: holder.holderName,
      accountVerificationId: holder.accountVerificationId,
    };
    const { partner } = await platform.partner.createPlatformPartner(
      partnerBody(contract.id, {
        account: verifiedAccount,
        type: {
          business: {
            companyName: "Verified Co",
            businessRegistrationNumber: "2208162510",
            representativeName: "Park",
            companyVerificationId: company.companyVerificationId,
          },
        },
      }),
    );
    expect(partner.account.status).toBe("VERIFIED");
    expect(partner.type).toMatchObject({
      type: "BUSINESS",
      businessStatus: "IN_BUSINESS",
      taxationType: "NORMAL",
    });
    const reused = partnerBody(contract.id, { account: verifiedAccount });
    expect(await failure(platform.partner.createPlatformPartner(reused))).toBe(
      "PLATFORM_ACCOUNT_VERIFICATION_ALREADY_USED",
    );
    const other = await platform.account.getPlatformAccountHolder({
      bank: "KOOKMIN",
      accountNumber: "555566667777",
    });
    const wrongHolder = partnerBody(contract.id, {
      account: {
        bank: "KOOKMIN",
        currency: "KRW",
        number: "555566667777",
        holder: "Someone Else",
        accountVerificationId: other.accountVerificationId,
      },
    });
    expect(await failure(platform.partner.createPlatformPartner(wrongHolder))).toBe(
      "PLATFORM_ACCOUNT_VERIFICATION_FAILED",
    );
  });

  it("answers the lookups' failures: a failing bank, an unsupported bank, unknown or closed companies", async () => {
    const { platform } = sandbox.client;
    expect(
      await failure(
        platform.account.getPlatformAccountHolder({ bank: "KOOKMIN", accountNumber: "123450000" }),
      ),
    ).toBe("PLATFORM_EXTERNAL_API_FAILED");
    expect(
      await failure(
        platform.account.getPlatformAccountHolder({
          bank: "KB_SECURITIES",
          accountNumber: "123456789",
        }),
      ),
    ).toBe("PLATFORM_NOT_SUPPORTED_BANK");
    expect(
      await failure(
        platform.company.getPlatformCompanyState({ businessRegistrationNumber: "0001112222" }),
      ),
    ).toBe("PLATFORM_COMPANY_NOT_FOUND");
    const closed = await platform.company.getPlatformCompanyState({
      businessRegistrationNumber: "1234567899",
    });
    expect(closed.companyState.businessStatus).toBe("CLOSED");
  });

  it("applies a scheduled update when the sandbox clock reaches it", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const id = newPaymentId("scheduled");
    await platform.partner.createPlatformPartner({ id, ...partnerBody(contract.id) });
    const appliedAt = await inAnHour();
    const { scheduledPartner } = await platform.schedulePartner({
      id,
      update: { name: "Renamed" },
      appliedAt,
    });
    expect(scheduledPartner).toMatchObject({ name: "Renamed", appliedAt });
    expect((await platform.getPlatformPartnerSchedule({ id })).name).toBe("Renamed");
    expect(
      await failure(platform.schedulePartner({ id, update: { name: "Twice" }, appliedAt })),
    ).toBe("PLATFORM_PARTNER_SCHEDULE_ALREADY_EXISTS");
    expect(await failure(platform.partner.archivePlatformPartner({ id }))).toBe(
      "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_PARTNER",
    );
    const { scheduledPartner: rescheduled } = await platform.reschedulePartner({
      id,
      update: { name: "Final", memo: "m" },
      appliedAt,
    });
    expect(rescheduled.name).toBe("Final");
    expect((await platform.partner.getPlatformPartner({ id })).name).toBe("Partner");

    await advance(2 * HOUR_MS);
    const applied = await platform.partner.getPlatformPartner({ id });
    expect(applied).toMatchObject({ name: "Final", memo: "m", appliedAt });
    expect(await failure(platform.getPlatformPartnerSchedule({ id }))).toBe(
      "PLATFORM_PARTNER_NOT_FOUND",
    );

    expect(
      await failure(
        platform.reschedulePartner({ id, update: { name: "x" }, appliedAt: await inAnHour() }),
      ),
    ).toBe("PLATFORM_PARTNER_NOT_FOUND");
    await platform.schedulePartner({ id, update: { name: "Never" }, appliedAt: await inAnHour() });
    await platform.cancelPlatformPartnerSchedule({ id });
    expect((await platform.partner.getPlatformPartner({ id })).name).toBe("Final");
    const tag = newPaymentId("tag");
    await platform.partner.updatePlatformPartner({ id, tags: [tag] });
    await platform.schedulePlatformPartners({
      filter: { tags: [tag] },
      update: { memo: "bulk" },
      appliedAt: await inAnHour(),
    });
    await advance(2 * HOUR_MS);
    expect(await platform.partner.getPlatformPartner({ id })).toMatchObject({
      name: "Final",
      memo: "bulk",
    });
  });
});

describe("contracts and policies", () => {
  it("keeps contracts with their schedules, archive and filters", async () => {
    const { platform } = sandbox.client;
    const id = newPaymentId("contract");
    const { contract } = await platform.policy.createPlatformContract({
      id,
      name: "weekly",
      platformFee: { fixedAmount: 500 },
      settlementCycle: {
        lagDays: 3,
        datePolicy: "HOLIDAY_BEFORE",
        method: { monthly: { daysOfMonth: [10, 31] } },
      },
      platformFeeVatPayer: "PARTNER",
      subtractPaymentVatAmount: false,
    });
    expect(contract.platformFee).toEqual({ type: "FIXED_AMOUNT", amount: 500 });
    expect(contract.settlementCycle.method).toEqual({ type: "MONTHLY", daysOfMonth: [10, 31] });
    expect(
      await failure(
        platform.policy.createPlatformContract({
          id,
          name: "again",
          platformFee: { fixedRate: 1 },
          settlementCycle: { lagDays: 0, datePolicy: "CALENDAR_DAY", method: { daily: {} } },
          platformFeeVatPayer: "PARTNER",
          subtractPaymentVatAmount: false,
        }),
      ),
    ).toBe("PLATFORM_CONTRACT_ALREADY_EXISTS");
    const monthly = await platform.policy.getPlatformContracts({
      filter: { cycleTypes: ["MONTHLY"], keyword: { id } },
    });
    expect(monthly.items.map((c) => c.id)).toEqual([id]);
    const { contract: updated } = await platform.policy.updatePlatformContract({
      id,
      platformFee: { fixedRate: 3_000 },
    });
    expect(updated.platformFee).toEqual({ type: "FIXED_RATE", rate: 3_000 });
    expect((await platform.policy.getPlatformContract({ id })).name).toBe("weekly");

    const appliedAt = await inAnHour();
    await platform.scheduleContract({ id, update: { name: "later" }, appliedAt });
    expect(await failure(platform.policy.archivePlatformContract({ id }))).toBe(
      "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_CONTRACT",
    );
    expect(await failure(platform.scheduleContract({ id, update: { name: "x" }, appliedAt }))).toBe(
      "PLATFORM_CONTRACT_SCHEDULE_ALREADY_EXISTS",
    );
    expect(
      (await platform.rescheduleContract({ id, update: { memo: "note" }, appliedAt }))
        .scheduledContract.memo,
    ).toBe("note");
    expect((await platform.getPlatformContractSchedule({ id })).memo).toBe("note");
    await platform.cancelPlatformContractSchedule({ id });
    expect((await platform.policy.archivePlatformContract({ id })).contract.isArchived).toBe(true);
    expect(await failure(platform.policy.updatePlatformContract({ id, name: "x" }))).toBe(
      "PLATFORM_ARCHIVED_CONTRACT",
    );
    expect(await failure(platform.scheduleContract({ id, update: { name: "x" }, appliedAt }))).toBe(
      "PLATFORM_ARCHIVED_CONTRACT",
    );
    expect((await platform.policy.recoverPlatformContract({ id })).contract.isArchived).toBe(false);
    expect(await failure(platform.policy.getPlatformContract({ id: "none" }))).toBe(
      "PLATFORM_CONTRACT_NOT_FOUND",
    );
  });

  it("keeps discount-share policies: create, filter, update, schedule, archive, recover", async () => {
    const { platform } = sandbox.client;
    const shareId = newPaymentId("share");
    const rate = 12_345;
    await platform.policy.createPlatformDiscountSharePolicy({
      id: shareId,
      name: "coupon",
      partnerShareRate: rate,
    });
    expect(
      await failure(
        platform.policy.createPlatformDiscountSharePolicy({
          id: shareId,
          name: "c",
          partnerShareRate: 1,
        }),
      ),
    ).toBe("PLATFORM_DISCOUNT_SHARE_POLICY_ALREADY_EXISTS");
    expect(
      (await platform.getPlatformDiscountSharePolicyFilterOptions({})).partnerShareRates,
    ).toContain(rate);
    const found = await platform.policy.getPlatformDiscountSharePolicies({
      filter: { partnerShareRates: [rate] },
    });
    expect(found.items.map((p) => p.id)).toContain(shareId);
    await platform.policy.updatePlatformDiscountSharePolicy({
      id: shareId,
      partnerShareRate: 20_000,
    });
    expect(
      (await platform.policy.getPlatformDiscountSharePolicy({ id: shareId })).partnerShareRate,
    ).toBe(20_000);
    const appliedAt = await inAnHour();
    await platform.scheduleDiscountSharePolicy({
      id: shareId,
      update: { partnerShareRate: 30_000 },
      appliedAt,
    });
    await platform.rescheduleDiscountSharePolicy({
      id: shareId,
      update: { partnerShareRate: 40_000 },
      appliedAt,
    });
    expect(
      (await platform.getPlatformDiscountSharePolicySchedule({ id: shareId })).partnerShareRate,
    ).toBe(40_000);
    await advance(2 * HOUR_MS);
    expect(
      (await platform.policy.getPlatformDiscountSharePolicy({ id: shareId })).partnerShareRate,
    ).toBe(40_000);
    await platform.scheduleDiscountSharePolicy({
      id: shareId,
      update: { name: "n" },
      appliedAt: await inAnHour(),
    });
    await platform.cancelPlatformDiscountSharePolicySchedule({ id: shareId });
    await platform.policy.archivePlatformDiscountSharePolicy({ id: shareId });
    expect(
      await failure(platform.policy.updatePlatformDiscountSharePolicy({ id: shareId, name: "x" })),
    ).toBe("PLATFORM_ARCHIVED_DISCOUNT_SHARE_POLICY");
    await platform.policy.recoverPlatformDiscountSharePolicy({ id: shareId });
  });

  it("keeps additional-fee policies the same way", async () => {
    const { platform } = sandbox.client;
    const { additionalFeePolicy } = await platform.policy.createPlatformAdditionalFeePolicy({
      name: "ads",
      fee: { fixedAmount: 300 },
      vatPayer: "MERCHANT",
    });
    const feeId = additionalFeePolicy.id;
    expect(
      await failure(
        platform.policy.createPlatformAdditionalFeePolicy({
          name: "bad",
          fee: {},
          vatPayer: "MERCHANT",
        }),
      ),
    ).toBe("INVALID_REQUEST");
    const listed = await platform.policy.getPlatformAdditionalFeePolicies({
      filter: { vatPayers: ["MERCHANT"], keyword: { id: feeId } },
    });
    expect(listed.items.map((p) => p.id)).toEqual([feeId]);
    await platform.policy.updatePlatformAdditionalFeePolicy({ id: feeId, vatPayer: "PARTNER" });
    expect((await platform.policy.getPlatformAdditionalFeePolicy({ id: feeId })).vatPayer).toBe(
      "PARTNER",
    );
    await platform.scheduleAdditionalFeePolicy({
      id: feeId,
      update: { fee: { fixedRate: 100 } },
      appliedAt: await inAnHour(),
    });
    expect(await failure(platform.policy.archivePlatformAdditionalFeePolicy({ id: feeId }))).toBe(
      "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_ADDITIONAL_FEE_POLICY",
    );
    await platform.rescheduleAdditionalFeePolicy({
      id: feeId,
      update: { fee: { fixedRate: 200 } },
      appliedAt: await inAnHour(),
    });
    expect((await platform.getPlatformAdditionalFeePolicySchedule({ id: feeId })).fee).toEqual({
      type: "FIXED_RATE",
      rate: 200,
    });
    await platform.cancelPlatformAdditionalFeePolicySchedule({ id: feeId });
    await platform.policy.archivePlatformAdditionalFeePolicy({ id: feeId });
    await platform.policy.recoverPlatformAdditionalFeePolicy({ id: feeId });
    expect(await failure(platform.policy.getPlatformAdditionalFeePolicy({ id: "none" }))).toBe(
      "PLATFORM_ADDITIONAL_FEE_POLICY_NOT_FOUND",
    );
  });

  it("reads and updates the platform setting", async () => {
    const { platform } = sandbox.client;
    const { setting } = await platform.updatePlatformSetting({
      defaultDepositMemo: "marketplace",
      supportsMultipleOrderTransfersPerPartner: false,
    });
    expect(setting).toMatchObject({
      defaultDepositMemo: "marketplace",
      settlementAmountType: "GROSS",
    });
    expect(await platform.getPlatformSetting({})).toEqual(setting);
  });
});

describe("transfers", () => {
  it("settles only paid sandbox payments, once per partner, and cancels what is left", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const { partner } = await platform.partner.createPlatformPartner(partnerBody(contract.id));
    const order = { orderDetail: { orderAmount: 5_000 }, discounts: [], additionalFees: [] };
    expect(
      await failure(
        platform.transfer.createPlatformOrderTransfer({
          partnerId: partner.id,
          paymentId: newPaymentId(),
          ...order,
        }),
      ),
    ).toBe("PLATFORM_PAYMENT_NOT_FOUND");
    const paymentId = newPaymentId();
    await sandbox.checkout({ paymentId, totalAmount: 5_000 });
    expect(
      await failure(
        platform.transfer.createPlatformOrderTransfer({
          partnerId: partner.id,
          paymentId,
          ...order,
          discounts: [{ sharePolicyId: "no-such-policy", amount: 1 }],
        }),
      ),
    ).toBe("PLATFORM_DISCOUNT_SHARE_POLICIES_NOT_FOUND");
    const { transfer } = await platform.transfer.createPlatformOrderTransfer({
      partnerId: partner.id,
      paymentId,
      ...order,
    });
    // 5 % fee, the merchant pays its VAT; the payment's VAT (455) comes off the settlement.
    expect(transfer.amount).toMatchObject({
      platformFee: 250,
      platformFeeVat: 25,
      paymentVatBurden: 455,
      settlement: 4_295,
    });
    expect(transfer.settlementDate > transfer.settlementStartDate).toBe(true);
    expect(new Date(`${transfer.settlementDate}T00:00:00Z`).getUTCDay()).toBe(5);
    expect(
      await failure(
        platform.transfer.createPlatformOrderTransfer({
          partnerId: partner.id,
          paymentId,
          ...order,
          orderDetail: { orderAmount: 0 },
        }),
      ),
    ).toBe("PLATFORM_TRANSFER_ALREADY_EXISTS");

    const { cancellation } = await sandbox.client.payment.cancelPayment({
      paymentId,
      reason: "all of it",
    });
    const cancellationId = (cancellation as { id: string }).id;
    const { transfer: cancel } = await platform.transfer.createPlatformOrderCancelTransfer({
      transferId: transfer.id,
      cancellationId,
      orderDetail: { all: {} },
      discounts: [],
    });
    expect(cancel.amount).toMatchObject({ order: -5_000, settlement: -4_295 });
    expect(
      await failure(
        platform.transfer.createPlatformOrderCancelTransfer({
          transferId: transfer.id,
          cancellationId,
          orderDetail: { all: {} },
          discounts: [],
        }),
      ),
    ).toBe("PLATFORM_ORDER_TRANSFER_ALREADY_CANCELLED");
    expect(await failure(platform.transfer.deletePlatformTransfer({ id: transfer.id }))).toBe(
      "PLATFORM_CANCEL_ORDER_TRANSFERS_EXISTS",
    );
    await platform.transfer.deletePlatformTransfer({ id: cancel.id });
    await platform.transfer.deletePlatformTransfer({ id: transfer.id });
    expect(await failure(platform.transfer.getPlatformTransfer({ id: transfer.id }))).toBe(
      "PLATFORM_TRANSFER_NOT_FOUND",
    );
  });

  it("names the channel the payment went through, not the store's default", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const { partner } = await platform.partner.createPlatformPartner(partnerBody(contract.id));
    const paymentId = newPaymentId();
    const liveChannel = `${sandbox.sandbox.channelKey}-live`;
    await sandbox.checkout({ paymentId, totalAmount: 5_000, channelKey: liveChannel });
    const { transfer } = await platform.transfer.createPlatformOrderTransfer({
      partnerId: partner.id,
      paymentId,
      orderDetail: { orderAmount: 5_000 },
      discounts: [],
      additionalFees: [],
    });
    expect(transfer.payment).toMatchObject({ type: "PORT_ONE", channelKey: liveChannel });
  });

  it("takes an external payment's method by its own member names only", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const { partner } = await platform.partner.createPlatformPartner(partnerBody(contract.id));
    const external = (method: Record<string, unknown>) =>
      platform.transfer.createPlatformOrderTransfer({
        partnerId: partner.id,
        paymentId: newPaymentId(),
        orderDetail: { orderAmount: 5_000 },
        discounts: [],
        additionalFees: [],
        externalPaymentDetail: {
          currency: "KRW",
          method: method as never,
        },
      });
    const { transfer } = await external({ card: {} });
    expect(transfer).toMatchObject({ type: "ORDER", payment: { type: "EXTERNAL" } });
    for (const name of ["constructor", "toString", "__proto__", "bankTransfer"]) {
      expect(await failure(external(JSON.parse(`{"${name}": {}}`)))).toBe("INVALID_REQUEST");
    }
  });

  it("settles manual transfers on their date, and deletes unpaid settlements with their transfers", async () => {
    const { platform } = sandbox.client;
    const contract = await newContract();
    const { partner } = await platform.partner.createPlatformPartner(partnerBody(contract.id));
    const today = new Date(Date.now() + offset + 9 * HOUR_MS).toISOString().slice(0, 10);
    const { transfer } = await platform.transfer.createPlatformManualTransfer({
      partnerId: partner.id,
      settlementAmount: -1_500,
      settlementDate: today,
      memo: "chargeback",
    });
    expect(transfer).toMatchObject({
      type: "MANUAL",
      settlementAmount: -1_500,
      settlementCurrency: "KRW",
      status: "SCHEDULED",
    });
    expect(
      await failure(
        platform.transfer.createPlatformManualTransfer({
          partnerId: "ghost",
          settlementAmount: 1,
          settlementDate: today,
        }),
      ),
    ).toBe("PLATFORM_PARTNER_NOT_FOUND");
    const summaries = await platform.transfer.getPlatformTransferSummaries({
      filter: { types: ["MANUAL"], keyword: { partnerId: partner.id } },
    });
    expect(summaries.transferSummaries).toHaveLength(1);
    expect(summaries.transferSummaries[0]).toMatchObject({
      type: "MANUAL",
      status: "SETTLED",
      settlementAmount: -1_500,
    });

    const settlements = await platform.partnerSettlement.getPlatformPartnerSettlements({
      filter: { partnerIds: [partner.id] },
    });
    expect(settlements.items).toHaveLength(1);
    expect(settlements.items[0]).toMatchObject({
      type: "MANUAL",
      amount: -1_500,
      status: "PAYOUT_PREPARED",
    });
    const settlementId = (settlements.items[0] as { id: string }).id;
    const negative = await sandbox.api("POST", "/platform/partner-settlements/complete-payout", {
      body: { bulkPayoutId: newPaymentId("bulk"), partnerSettlementIds: [settlementId] },
    });
    expect(negative.body.type).toBe("PLATFORM_CURRENCY_NOT_SUPPORTED");
    const missing = await sandbox.api("POST", "/platform/partner-settlements/delete", {
      body: { partnerSettlementIds: ["none"] },
    });
    expect(missing.body).toMatchObject({
      type: "PLATFORM_PARTNER_SETTLEMENTS_NOT_FOUND",
      ids: ["none"],
    });
    const deleted = await sandbox.api("POST", "/platform/partner-settlements/delete", {
      body: { partnerSettlementIds: [settlementId] },
    });
    expect(deleted.status).toBe(200);
    expect(await failure(platform.transfer.getPlatformTransfer({ id: transfer.id }))).toBe(
      "PLATFORM_TRANSFER_NOT_FOUND",
    );
    const after = await platform.partnerSettlement.getPlatformPartnerSettlements({
      filter: { partnerIds: [partner.id] },
    });
    expect(after.items).toEqual([]);
  });
});

describe("bad input", () => {
  it("answers every platform operation's malformed input with a 4xx of its own vocabulary", async () => {
    const routes = operationRoutes.filter((route) =>
      (platformOperations as readonly string[]).includes(route.operationId),
    );
    const garbage = [
      {},
      {
        filter: 1,
        page: "x",
        update: 3,
        partnerSettlementIds: "a",
        orderDetail: [],
        discounts: "x",
      },
      {
        partners: [1],
        filter: { tags: [2], keyword: 3 },
        appliedAt: "soon",
        id: 4,
        fee: { fixedRate: -1 },
      },
    ];
    for (const route of routes) {
      const path = route.path.replace(/:([A-Za-z]+)/g, "sample-$1");
      for (const body of garbage) {
        const query = route.method === "GET" || route.method === "DELETE";
        const response = await sandbox.api(
          route.method,
          query ? `${path}?requestBody=${encodeURIComponent(JSON.stringify(body))}` : path,
          query ? {} : { body },
        );
        if (response.status === 200) continue;
        expect(response.status, `${route.operationId} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(route.errorTypes, route.operationId).toContain(response.body.type);
      }
    }
  });
});

/** Operations the marketplace scenario (platform-marketplace.test.ts) is the one to answer. */
const scenarioOnly = new Set<string>([
  "getPlatformPayouts",
  "getPlatformBulkPayouts",
  "getPlatformAccountTransfers",
  "getPlatformBulkAccountTransfers",
  "downloadPlatformTransferSheet",
]);
expectEveryOperationChecked(
  "platform",
  platformOperations.filter((operation) => !scenarioOnly.has(operation)),
);
