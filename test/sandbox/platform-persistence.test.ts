import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newPaymentId, startSandbox } from "../support/sandbox.js";

const directory = mkdtempSync(join(tmpdir(), "portone-sandbox-platform-"));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe.each(["state.json", "state.sqlite"])("platform state in %s", (file) => {
  it("keeps partners, contracts, schedules and transfers across a restart", async () => {
    const persistPath = join(directory, file);
    const first = await startSandbox({ persistPath });
    const { platform } = first.client;
    const { contract } = await platform.policy.createPlatformContract({
      name: "kept",
      platformFee: { fixedRate: 10_000 },
      settlementCycle: { lagDays: 1, datePolicy: "CALENDAR_DAY", method: { daily: {} } },
      platformFeeVatPayer: "PARTNER",
      subtractPaymentVatAmount: false,
    });
    const { partner } = await platform.partner.createPlatformPartner({
      name: "Kept Partner",
      contact: { name: "K", email: "k@example.com" },
      account: { bank: "HANA", currency: "KRW", number: "9876543210", holder: "K" },
      defaultContractId: contract.id,
      tags: [],
      type: { nonWhtPayer: {} },
    });
    const appliedAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    await platform.scheduleContract({ id: contract.id, update: { name: "renamed" }, appliedAt });
    const paymentId = newPaymentId("kept");
    await first.checkout({ paymentId, totalAmount: 4_000 });
    const { transfer } = await platform.transfer.createPlatformOrderTransfer({
      partnerId: partner.id,
      paymentId,
      orderDetail: { orderAmount: 4_000 },
      discounts: [],
      additionalFees: [],
    });
    await first.close();

    const second = await startSandbox({ persistPath });
    try {
      const again = second.client.platform;
      expect((await again.partner.getPlatformPartner({ id: partner.id })).name).toBe(
        "Kept Partner",
      );
      expect((await again.getPlatformContractSchedule({ id: contract.id })).name).toBe("renamed");
      const kept = await again.transfer.getPlatformTransfer({ id: transfer.id });
      expect((kept as { amount: { settlement: number } }).amount.settlement).toBe(3_560);
    } finally {
      await second.close();
    }
  });
});
