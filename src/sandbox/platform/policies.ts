import type {
  PlatformAdditionalFeePolicy,
  PlatformContract,
  PlatformDiscountSharePolicy,
  PlatformFee,
  PlatformSettlementCycle,
  PlatformSettlementCycleMethod,
} from "../../sdk/generated/platform/types.js";
import type { DomainContext } from "../domain/context.js";
import { invalidRequest } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import { contains, within } from "./common.js";
import { policyKind } from "./policy-kind.js";
import { idAndNameMatch } from "./versioned.js";

/** Rates are "milli-percent" (10^-5): 100,000 is 100 %. */
export const RATE_SCALE = 100_000;

const PAYERS = ["PARTNER", "MERCHANT"] as const;
const DATE_POLICIES = ["HOLIDAY_BEFORE", "HOLIDAY_AFTER", "CALENDAR_DAY"] as const;
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function rate(value: number, field: string): number {
  if (value > RATE_SCALE) throw invalidRequest(`${field} must be at most ${RATE_SCALE} (100 %).`);
  return value;
}

/** `PlatformFeeInput` (exactly one of fixedRate, fixedAmount) -> `PlatformFee`. */
export function parseFee(input: Input): PlatformFee {
  const fixedRate = input.optionalInteger("fixedRate");
  const fixedAmount = input.optionalInteger("fixedAmount");
  if ((fixedRate === undefined) === (fixedAmount === undefined)) {
    throw invalidRequest("A fee needs exactly one of fixedRate and fixedAmount.");
  }
  return fixedRate !== undefined
    ? { type: "FIXED_RATE", rate: rate(fixedRate, "fixedRate") }
    : { type: "FIXED_AMOUNT", amount: fixedAmount as number };
}

function parseCycleMethod(input: Input): PlatformSettlementCycleMethod {
  const given = ["daily", "weekly", "monthly", "manualDates"].filter((key) => input.has(key));
  if (given.length !== 1) {
    throw invalidRequest(
      "settlementCycle.method needs exactly one of daily, weekly, monthly, manualDates.",
    );
  }
  if (input.has("daily")) return { type: "DAILY" };
  if (input.has("weekly")) {
    const days = input.object("weekly").optionalArray("daysOfWeek") ?? [];
    if (days.length === 0 || days.some((day) => !WEEKDAYS.includes(day as string))) {
      throw invalidRequest(`daysOfWeek must list days among ${WEEKDAYS.join(", ")}.`);
    }
    return { type: "WEEKLY", daysOfWeek: days as PlatformSettlementCycleMethod & string[] };
  }
  if (input.has("monthly")) {
    const days = input.object("monthly").optionalArray("daysOfMonth") ?? [];
    if (
      days.length === 0 ||
      days.some((day) => !Number.isInteger(day) || (day as number) < 1 || (day as number) > 31)
    ) {
      throw invalidRequest("daysOfMonth must list days between 1 and 31.");
    }
    return { type: "MONTHLY", daysOfMonth: days as number[] };
  }
  const dates = input.object("manualDates").optionalArray("dates") ?? [];
  const valid = (d: unknown) => {
    const { month, day } = (d ?? {}) as { month?: unknown; day?: unknown };
    return (
      Number.isInteger(month) &&
      Number.isInteger(day) &&
      (month as number) >= 1 &&
      (month as number) <= 12 &&
      (day as number) >= 1 &&
      (day as number) <= 31
    );
  };
  if (dates.length === 0 || !dates.every(valid)) {
    throw invalidRequest("manualDates.dates must list {month, day} pairs.");
  }
  return {
    type: "MANUAL_DATES",
    dates: dates.map((d) => ({
      month: (d as { month: number }).month,
      day: (d as { day: number }).day,
    })),
  };
}

export function parseSettlementCycle(input: Input): PlatformSettlementCycle {
  const lagDays = input.integer("lagDays");
  if (lagDays > 365) throw invalidRequest("settlementCycle.lagDays must be at most 365.");
  const datePolicy = input.oneOf("datePolicy", DATE_POLICIES);
  if (!datePolicy) throw invalidRequest("settlementCycle.datePolicy is required.");
  return { lagDays, datePolicy, method: parseCycleMethod(input.object("method")) };
}

function payer(input: Input, field: string): "PARTNER" | "MERCHANT" | undefined {
  return input.oneOf(field, PAYERS);
}

export const contracts = policyKind<PlatformContract>({
  label: "contract",
  apiName: "Contract",
  graphqlType: "PlatformContract",
  store: (state) => state.contracts,
  alreadyExists: "PLATFORM_CONTRACT_ALREADY_EXISTS",
  notFound: "PLATFORM_CONTRACT_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_CONTRACT",
  scheduleAlreadyExists: "PLATFORM_CONTRACT_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_CONTRACT",
  parseTerms(body) {
    const vatPayer = payer(body, "platformFeeVatPayer");
    const subtract = body.optionalBoolean("subtractPaymentVatAmount");
    if (!vatPayer) throw invalidRequest("platformFeeVatPayer is required.");
    if (subtract === undefined) throw invalidRequest("subtractPaymentVatAmount is required.");
    return {
      platformFee: parseFee(body.object("platformFee")),
      settlementCycle: parseSettlementCycle(body.object("settlementCycle")),
      platformFeeVatPayer: vatPayer,
      subtractPaymentVatAmount: subtract,
    };
  },
  updateTerms(next, update) {
    const fee = update.optionalObject("platformFee");
    if (fee) next.platformFee = parseFee(fee);
    const cycle = update.optionalObject("settlementCycle");
    if (cycle) next.settlementCycle = parseSettlementCycle(cycle);
    next.platformFeeVatPayer = payer(update, "platformFeeVatPayer") ?? next.platformFeeVatPayer;
    next.subtractPaymentVatAmount =
      update.optionalBoolean("subtractPaymentVatAmount") ?? next.subtractPaymentVatAmount;
    return next;
  },
});

export function contractMatches(contract: PlatformContract, filter: Input | undefined): boolean {
  const keyword = filter?.optionalObject("keyword");
  return (
    within(
      contract.platformFeeVatPayer,
      filter?.optionalArray("platformFeePayers") as string[] | undefined,
    ) &&
    within(
      contract.settlementCycle.method.type as string,
      filter?.optionalArray("cycleTypes") as string[] | undefined,
    ) &&
    within(
      contract.settlementCycle.datePolicy,
      filter?.optionalArray("datePolicies") as string[] | undefined,
    ) &&
    idAndNameMatch(contract, keyword)
  );
}

export const discountSharePolicies = policyKind<PlatformDiscountSharePolicy>({
  label: "discount share policy",
  apiName: "DiscountSharePolicy",
  graphqlType: "PlatformDiscountSharePolicy",
  store: (state) => state.discountSharePolicies,
  alreadyExists: "PLATFORM_DISCOUNT_SHARE_POLICY_ALREADY_EXISTS",
  notFound: "PLATFORM_DISCOUNT_SHARE_POLICY_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_DISCOUNT_SHARE_POLICY",
  scheduleAlreadyExists: "PLATFORM_DISCOUNT_SHARE_POLICY_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_DISCOUNT_SHARE_POLICY",
  parseTerms: (body) => ({
    partnerShareRate: rate(body.integer("partnerShareRate"), "partnerShareRate"),
  }),
  updateTerms(next, update) {
    const share = update.optionalInteger("partnerShareRate");
    if (share !== undefined) next.partnerShareRate = rate(share, "partnerShareRate");
    return next;
  },
});

export function discountSharePolicyMatches(
  policy: PlatformDiscountSharePolicy,
  filter: Input | undefined,
): boolean {
  const keyword = filter?.optionalObject("keyword");
  return (
    within(
      policy.partnerShareRate,
      filter?.optionalArray("partnerShareRates") as number[] | undefined,
    ) && idAndNameMatch(policy, keyword)
  );
}

/** The distinct share rates of live (or archived) policies, for a filter drop-down. */
export function discountSharePolicyFilterOptions(
  ctx: DomainContext,
  test: boolean,
  isArchived: boolean,
) {
  const rates = new Set<number>();
  for (const { current } of ctx.state.platform.discountSharePolicies.values()) {
    if (current.isForTest === test && current.isArchived === isArchived)
      rates.add(current.partnerShareRate);
  }
  return { partnerShareRates: [...rates].sort((a, b) => a - b) };
}

export const additionalFeePolicies = policyKind<PlatformAdditionalFeePolicy>({
  label: "additional fee policy",
  apiName: "AdditionalFeePolicy",
  graphqlType: "PlatformAdditionalFeePolicy",
  store: (state) => state.additionalFeePolicies,
  alreadyExists: "PLATFORM_ADDITIONAL_FEE_POLICY_ALREADY_EXISTS",
  notFound: "PLATFORM_ADDITIONAL_FEE_POLICY_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_ADDITIONAL_FEE_POLICY",
  scheduleAlreadyExists: "PLATFORM_ADDITIONAL_FEE_POLICY_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_ADDITIONAL_FEE_POLICY",
  parseTerms(body) {
    const vatPayer = payer(body, "vatPayer");
    if (!vatPayer) throw invalidRequest("vatPayer is required.");
    return { fee: parseFee(body.object("fee")), vatPayer };
  },
  updateTerms(next, update) {
    const fee = update.optionalObject("fee");
    if (fee) next.fee = parseFee(fee);
    next.vatPayer = payer(update, "vatPayer") ?? next.vatPayer;
    return next;
  },
});

function feeText(fee: PlatformFee): string {
  return fee.type === "FIXED_RATE"
    ? String((fee as { rate: number }).rate)
    : String((fee as { amount: number }).amount);
}

export function additionalFeePolicyMatches(
  policy: PlatformAdditionalFeePolicy,
  filter: Input | undefined,
): boolean {
  const keyword = filter?.optionalObject("keyword");
  return (
    within(policy.vatPayer, filter?.optionalArray("vatPayers") as string[] | undefined) &&
    idAndNameMatch(policy, keyword) &&
    contains(feeText(policy.fee), keyword?.optionalString("fee"))
  );
}
