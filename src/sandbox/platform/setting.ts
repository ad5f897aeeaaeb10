import type { DomainContext } from "../domain/context.js";
import type { ApiHandlers } from "../http/portone-api.js";
import { isForTest } from "./common.js";

/** getPlatformSetting / updatePlatformSetting: one setting, the fields the body names change. */
export function settingHandlers(ctx: DomainContext): ApiHandlers {
  return {
    getPlatformSetting: (call) => ({ ...ctx.state.platform.setting, isForTest: isForTest(call) }),
    updatePlatformSetting: (call) => {
      const { body } = call;
      const next = { ...ctx.state.platform.setting };
      for (const field of ["defaultWithdrawalMemo", "defaultDepositMemo"] as const) {
        const value = body.optionalString(field);
        if (value !== undefined) next[field] = value;
      }
      for (const field of [
        "supportsMultipleOrderTransfersPerPartner",
        "adjustSettlementDateAfterHolidayIfEarlier",
        "deductWht",
        "manualSettlementPerTransfer",
      ] as const) {
        const value = body.optionalBoolean(field);
        if (value !== undefined) next[field] = value;
      }
      next.settlementAmountType =
        body.oneOf("settlementAmountType", ["NET", "GROSS"]) ?? next.settlementAmountType;
      ctx.state.platform.setting = next;
      ctx.state.changed();
      return { setting: { ...next, isForTest: isForTest(call) } };
    },
  };
}
