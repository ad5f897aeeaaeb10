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
import { contains, graphqlId, newPlatformId, nowIso, platformError, within } from "./common.js";
import type { Versioned } from "./platform-state.js";
import { registerKind } from "./versioned.js";

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

/** The id a create body asks for, or a new one; taken ids answer `alreadyExists`. */
function claimId<T>(
  ctx: DomainContext,
  store: Map<string, Versioned<T>>,
  body: Input,
  alreadyExists: string,
  label: string,
): string {
  const id = body.optionalString("id") ?? newPlatformId(ctx.clock.now());
  if (id === "") throw invalidRequest("id must not be empty.");
  if (store.has(id)) throw platformError(alreadyExists, `A ${label} with id ${id} already exists.`);
  return id;
}

export const contracts = registerKind<PlatformContract>({
  label: "contract",
  store: (state) => state.contracts,
  notFound: "PLATFORM_CONTRACT_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_CONTRACT",
  scheduleAlreadyExists: "PLATFORM_CONTRACT_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_CONTRACT",
  applyUpdate(_ctx, current, update) {
    const next = { ...current };
    const name = update.optionalString("name");
    if (name !== undefined) next.name = name;
    const memo = update.optionalString("memo");
    if (memo !== undefined) next.memo = memo;
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

export function createContract(ctx: DomainContext, body: Input, test: boolean): PlatformContract {
  const platform = ctx.state.platform;
  const id = claimId(ctx, platform.contracts, body, "PLATFORM_CONTRACT_ALREADY_EXISTS", "contract");
  const vatPayer = payer(body, "platformFeeVatPayer");
  const subtract = body.optionalBoolean("subtractPaymentVatAmount");
  if (!vatPayer) throw invalidRequest("platformFeeVatPayer is required.");
  if (subtract === undefined) throw invalidRequest("subtractPaymentVatAmount is required.");
  const memo = body.optionalString("memo");
  const contract: PlatformContract = {
    id,
    graphqlId: graphqlId("PlatformContract", id),
    name: body.string("name"),
    ...(memo !== undefined ? { memo } : {}),
    platformFee: parseFee(body.object("platformFee")),
    settlementCycle: parseSettlementCycle(body.object("settlementCycle")),
    platformFeeVatPayer: vatPayer,
    subtractPaymentVatAmount: subtract,
    isArchived: false,
    appliedAt: nowIso(ctx),
    isForTest: test,
  };
  platform.contracts.set(id, { current: contract });
  ctx.state.changed();
  return contract;
}

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
    contains(contract.id, keyword?.optionalString("id")) &&
    contains(contract.name, keyword?.optionalString("name"))
  );
}

export const discountSharePolicies = registerKind<PlatformDiscountSharePolicy>({
  label: "discount share policy",
  store: (state) => state.discountSharePolicies,
  notFound: "PLATFORM_DISCOUNT_SHARE_POLICY_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_DISCOUNT_SHARE_POLICY",
  scheduleAlreadyExists: "PLATFORM_DISCOUNT_SHARE_POLICY_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_DISCOUNT_SHARE_POLICY",
  applyUpdate(_ctx, current, update) {
    const next = { ...current };
    const name = update.optionalString("name");
    if (name !== undefined) next.name = name;
    const memo = update.optionalString("memo");
    if (memo !== undefined) next.memo = memo;
    const share = update.optionalInteger("partnerShareRate");
    if (share !== undefined) next.partnerShareRate = rate(share, "partnerShareRate");
    return next;
  },
});

export function createDiscountSharePolicy(
  ctx: DomainContext,
  body: Input,
  test: boolean,
): PlatformDiscountSharePolicy {
  const platform = ctx.state.platform;
  const id = claimId(
    ctx,
    platform.discountSharePolicies,
    body,
    "PLATFORM_DISCOUNT_SHARE_POLICY_ALREADY_EXISTS",
    "discount share policy",
  );
  const memo = body.optionalString("memo");
  const policy: PlatformDiscountSharePolicy = {
    id,
    graphqlId: graphqlId("PlatformDiscountSharePolicy", id),
    name: body.string("name"),
    partnerShareRate: rate(body.integer("partnerShareRate"), "partnerShareRate"),
    ...(memo !== undefined ? { memo } : {}),
    isArchived: false,
    appliedAt: nowIso(ctx),
    isForTest: test,
  };
  platform.discountSharePolicies.set(id, { current: policy });
  ctx.state.changed();
  return policy;
}

export function discountSharePolicyMatches(
  policy: PlatformDiscountSharePolicy,
  filter: Input | undefined,
): boolean {
  const keyword = filter?.optionalObject("keyword");
  return (
    within(
      policy.partnerShareRate,
      filter?.optionalArray("partnerShareRates") as number[] | undefined,
    ) &&
    contains(policy.id, keyword?.optionalString("id")) &&
    contains(policy.name, keyword?.optionalString("name"))
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

export const additionalFeePolicies = registerKind<PlatformAdditionalFeePolicy>({
  label: "additional fee policy",
  store: (state) => state.additionalFeePolicies,
  notFound: "PLATFORM_ADDITIONAL_FEE_POLICY_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_ADDITIONAL_FEE_POLICY",
  scheduleAlreadyExists: "PLATFORM_ADDITIONAL_FEE_POLICY_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_ADDITIONAL_FEE_POLICY",
  applyUpdate(_ctx, current, update) {
    const next = { ...current };
    const name = update.optionalString("name");
    if (name !== undefined) next.name = name;
    const memo = update.optionalString("memo");
    if (memo !== undefined) next.memo = memo;
    const fee = update.optionalObject("fee");
    if (fee) next.fee = parseFee(fee);
    next.vatPayer = payer(update, "vatPayer") ?? next.vatPayer;
    return next;
  },
});

export function createAdditionalFeePolicy(
  ctx: DomainContext,
  body: Input,
  test: boolean,
): PlatformAdditionalFeePolicy {
  const platform = ctx.state.platform;
  const id = claimId(
    ctx,
    platform.additionalFeePolicies,
    body,
    "PLATFORM_ADDITIONAL_FEE_POLICY_ALREADY_EXISTS",
    "additional fee policy",
  );
  const vatPayer = payer(body, "vatPayer");
  if (!vatPayer) throw invalidRequest("vatPayer is required.");
  const memo = body.optionalString("memo");
  const policy: PlatformAdditionalFeePolicy = {
    id,
    graphqlId: graphqlId("PlatformAdditionalFeePolicy", id),
    name: body.string("name"),
    fee: parseFee(body.object("fee")),
    ...(memo !== undefined ? { memo } : {}),
    vatPayer,
    isArchived: false,
    appliedAt: nowIso(ctx),
    isForTest: test,
  };
  platform.additionalFeePolicies.set(id, { current: policy });
  ctx.state.changed();
  return policy;
}

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
    contains(policy.id, keyword?.optionalString("id")) &&
    contains(policy.name, keyword?.optionalString("name")) &&
    contains(feeText(policy.fee), keyword?.optionalString("fee"))
  );
}
