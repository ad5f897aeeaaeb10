import type { PlatformWithdrawalAccountTransfer } from "../../sdk/generated/platform/accountTransfer/types.js";
import type { PlatformBulkAccountTransfer } from "../../sdk/generated/platform/bulkAccountTransfer/types.js";
import type { PlatformBulkPayout } from "../../sdk/generated/platform/bulkPayout/types.js";
import type { PlatformPayout } from "../../sdk/generated/platform/payout/types.js";
import type {
  PlatformPartner,
  PlatformPayoutStatusStats,
} from "../../sdk/generated/platform/types.js";
import type { DomainContext } from "../domain/context.js";
import { paginate } from "../domain/pages.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import {
  equalsIfGiven,
  graphqlId,
  inTimeRange,
  newPlatformId,
  nowIso,
  overlaps,
  stringList,
  within,
} from "./common.js";
import type { PartnerSettlementRecord } from "./platform-state.js";
import { payoutFigures } from "./settlement-math.js";
import { countBy, preparedSettlements, settlementTotals } from "./settlements.js";

/** The account payouts leave from: the sandbox's own (a MOCK provider account). */
const SANDBOX_ACCOUNT = {
  id: "sandbox-withdrawal-account",
  detail: {
    accountNumber: "00000000000000",
    bank: "KOOKMIN",
    provider: "MOCK",
    holder: "PortOne Sandbox",
  },
} as const;

const PAYOUT_COUNT_KEYS = {
  CONFIRMED: "confirmed",
  PREPARED: "prepared",
  CANCELLED: "cancelled",
  STOPPED: "stopped",
  PROCESSING: "processing",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  SCHEDULED: "scheduled",
};

function vatRegistered(partner: PlatformPartner): boolean {
  const type = partner.type as { type: string; taxationType?: string };
  return (
    type.type === "BUSINESS" &&
    ["NORMAL", "SIMPLE_TAX_INVOICE_ISSUER"].includes(type.taxationType ?? "")
  );
}

interface PayoutGroup {
  partner: PlatformPartner;
  currency: string;
  settlements: PartnerSettlementRecord[];
  amount: number;
  taxFree: number;
}

function groupByPartner(ctx: DomainContext, settlements: PartnerSettlementRecord[]): PayoutGroup[] {
  const groups = new Map<string, PayoutGroup>();
  for (const settlement of settlements) {
    const key = `${settlement.partnerId}/${settlement.settlementCurrency}`;
    const partner = ctx.state.platform.partners.get(settlement.partnerId)
      ?.current as PlatformPartner;
    const group = groups.get(key) ?? {
      partner,
      currency: settlement.settlementCurrency,
      settlements: [],
      amount: 0,
      taxFree: 0,
    };
    const totals = settlementTotals(ctx, settlement);
    group.settlements.push(settlement);
    group.amount += totals.amount;
    group.taxFree += totals.taxFree;
    groups.set(key, group);
  }
  return [...groups.values()];
}

function assertPayable(ctx: DomainContext, body: Input) {
  const ids = stringList(body, "partnerSettlementIds") ?? [];
  if (ids.length === 0)
    throw new PortOneApiError(
      "PLATFORM_NO_SELECTED_PARTNER_SETTLEMENTS",
      "No partner settlements selected.",
    );
  if (new Set(ids).size !== ids.length) {
    throw new PortOneApiError(
      "PLATFORM_DUPLICATED_PARTNER_SETTLEMENT_IDS",
      "partnerSettlementIds names a settlement twice.",
    );
  }
  const bulkPayoutId = body.string("bulkPayoutId");
  if (ctx.state.platform.bulkPayouts.has(bulkPayoutId)) {
    throw new PortOneApiError(
      "PLATFORM_BULK_PAYOUT_ID_ALREADY_EXISTS",
      `Bulk payout ${bulkPayoutId} already exists.`,
    );
  }
  const settlements = preparedSettlements(
    ctx,
    body,
    "PLATFORM_NON_PAYABLE_PARTNER_SETTLEMENTS",
    "Some settlements are not waiting for a payout.",
  );
  const groups = groupByPartner(ctx, settlements);
  const negative = groups.find((group) => group.amount < 0);
  if (negative) {
    // The schema's "negative payout" error carries this type (PlatformNegativePayoutAmountPartnersError).
    throw new PortOneApiError(
      "PLATFORM_CURRENCY_NOT_SUPPORTED",
      `Partner ${negative.partner.id} would be paid a negative amount (${negative.amount}).`,
    );
  }
  return { bulkPayoutId, settlements, groups };
}

function newPayout(
  ctx: DomainContext,
  group: PayoutGroup,
  bulkPayoutId: string,
  at: string,
): PlatformPayout {
  const setting = ctx.state.platform.setting;
  const figures = payoutFigures(group.amount, group.taxFree, {
    vatRegistered: vatRegistered(group.partner),
    amountType: setting.settlementAmountType,
    withholds: setting.deductWht && group.partner.type.type === "WHT_PAYER",
  });
  const id = newPlatformId(ctx.clock.now());
  return {
    id,
    graphqlId: graphqlId("PlatformPayout", id),
    bulkPayoutId,
    bulkPayoutGraphqlId: graphqlId("PlatformBulkPayout", bulkPayoutId),
    method: "DIRECT",
    status: "SUCCEEDED",
    statusUpdatedAt: at,
    partner: group.partner,
    account: {
      bank: group.partner.account.bank,
      number: group.partner.account.number,
      holder: group.partner.account.holder,
    },
    taxInvoiceStatus: "NONE",
    currency: group.currency,
    ...figures,
    settlementAmount: group.amount,
    settlementTaxFreeAmount: group.taxFree,
    ...(setting.defaultWithdrawalMemo !== undefined
      ? { withdrawalMemo: setting.defaultWithdrawalMemo }
      : {}),
    ...(setting.defaultDepositMemo !== undefined
      ? { depositMemo: setting.defaultDepositMemo }
      : {}),
    createdAt: at,
    deductWht: setting.deductWht,
    settlementAmountType: setting.settlementAmountType,
    settlementStatement: { status: "UNSENT" },
  };
}

function withdrawalFor(
  payout: PlatformPayout,
  bulkAccountTransferId: string,
  test: boolean,
  at: string,
): PlatformWithdrawalAccountTransfer {
  const id = `${payout.id}-withdrawal`;
  return {
    type: "WITHDRAWAL",
    id,
    bankAccountId: SANDBOX_ACCOUNT.id,
    bankAccountGraphqlId: graphqlId("PlatformBankAccount", SANDBOX_ACCOUNT.id),
    bankAccount: { ...SANDBOX_ACCOUNT.detail },
    currency: payout.currency,
    depositBank: payout.account.bank,
    depositAccountNumber: payout.account.number,
    depositAccountHolder: payout.account.holder,
    amount: payout.amount,
    ...(payout.withdrawalMemo !== undefined ? { withdrawalMemo: payout.withdrawalMemo } : {}),
    ...(payout.depositMemo !== undefined ? { depositMemo: payout.depositMemo } : {}),
    tradedAt: at,
    createdAt: at,
    updatedAt: at,
    isForTest: test,
    withdrawalType: "PARTNER_PAYOUT",
    partnerId: payout.partner.id,
    partnerGraphqlId: payout.partner.graphqlId,
    bulkPayoutId: payout.bulkPayoutId,
    bulkPayoutGraphqlId: payout.bulkPayoutGraphqlId,
    payoutId: payout.id,
    payoutGraphqlId: payout.graphqlId,
    bulkAccountTransferId,
    bulkAccountTransferGraphqlId: graphqlId("PlatformBulkAccountTransfer", bulkAccountTransferId),
    statusUpdatedAt: at,
    status: "SUCCEEDED",
  };
}

const zeroStats = () =>
  Object.fromEntries(Object.values(PAYOUT_COUNT_KEYS).map((k) => [k, 0])) as Record<string, number>;

/** One COMPLETED bulk payout of `payouts`, every one of them SUCCEEDED. */
function completedBulkPayout(
  id: string,
  name: string,
  payouts: PlatformPayout[],
  at: string,
): PlatformBulkPayout {
  const totalPayout = payouts.reduce((s, p) => s + p.amount, 0);
  const stats = (succeeded: number) => ({ ...zeroStats(), succeeded }) as PlatformPayoutStatusStats;
  return {
    id,
    graphqlId: graphqlId("PlatformBulkPayout", id),
    name,
    creatorId: "sandbox",
    method: "DIRECT",
    totalPayoutAmount: totalPayout,
    totalSettlementAmount: payouts.reduce((s, p) => s + p.settlementAmount, 0),
    status: "COMPLETED",
    payoutStats: { amount: stats(totalPayout), count: stats(payouts.length) },
    statusUpdatedAt: at,
    createdAt: at,
    updatedAt: at,
  };
}

/** The bulk account transfer that moved `withdrawals` from the sandbox's account. */
function completedBulkTransfer(
  id: string,
  withdrawals: PlatformWithdrawalAccountTransfer[],
  at: string,
): PlatformBulkAccountTransfer {
  const stats = (value: (w: PlatformWithdrawalAccountTransfer) => number) => ({
    prepared: 0,
    scheduled: 0,
    cancelled: 0,
    stopped: 0,
    processing: 0,
    asyncProcessing: 0,
    failed: 0,
    succeeded: withdrawals.reduce((s, w) => s + value(w), 0),
  });
  return {
    id,
    graphqlId: graphqlId("PlatformBulkAccountTransfer", id),
    creatorId: "sandbox",
    bankAccountId: SANDBOX_ACCOUNT.id,
    bankAccountGraphqlId: graphqlId("PlatformBankAccount", SANDBOX_ACCOUNT.id),
    totalAmount: withdrawals.reduce((s, w) => s + w.amount, 0),
    status: "COMPLETED",
    stats: { amount: stats((w) => w.amount), count: stats(() => 1) },
    statusUpdatedAt: at,
    createdAt: at,
    updatedAt: at,
  };
}

/** A group's settlements and their transfers are paid out by `payout`. */
function markPaidOut(
  ctx: DomainContext,
  group: PayoutGroup,
  payout: PlatformPayout,
  at: string,
): void {
  for (const settlement of group.settlements) {
    Object.assign(settlement, { status: "PAID_OUT", statusUpdatedAt: at, payoutId: payout.id });
    for (const transferId of settlement.transferIds) {
      const record = ctx.state.platform.transfers.get(transferId);
      if (!record) continue;
      record.transfer = {
        ...record.transfer,
        status: "PAID_OUT",
        payoutId: payout.id,
        payoutGraphqlId: payout.graphqlId,
      };
    }
  }
}

/**
 * completePlatformPayoutByPartnerSettlementIds: the merchant paid the partners itself. One
 * payout per partner and currency (SUCCEEDED), one COMPLETED bulk payout, and the withdrawals
 * from the sandbox's account that would have moved the money; settlements and transfers PAID_OUT.
 */
export function completePayout(ctx: DomainContext, body: Input, test: boolean) {
  const { bulkPayoutId, settlements, groups } = assertPayable(ctx, body);
  const completedAt = body.optionalDate("completedAt");
  const at = completedAt !== undefined ? new Date(completedAt).toISOString() : nowIso(ctx);
  const platform = ctx.state.platform;
  const bulkAccountTransferId = `${bulkPayoutId}-transfers`;
  const payouts = groups.map((group) => newPayout(ctx, group, bulkPayoutId, at));
  groups.forEach((group, index) => {
    const payout = payouts[index] as PlatformPayout;
    markPaidOut(ctx, group, payout, at);
    platform.payouts.set(payout.id, { view: payout, isForTest: test });
  });
  const name = body.optionalString("name") ?? bulkPayoutId;
  platform.bulkPayouts.set(bulkPayoutId, {
    view: completedBulkPayout(bulkPayoutId, name, payouts, at),
    isForTest: test,
  });
  const withdrawals = payouts.map((payout) =>
    withdrawalFor(payout, bulkAccountTransferId, test, at),
  );
  for (const withdrawal of withdrawals) platform.accountTransfers.set(withdrawal.id, withdrawal);
  platform.bulkAccountTransfers.set(bulkAccountTransferId, {
    view: completedBulkTransfer(bulkAccountTransferId, withdrawals, at),
    isForTest: test,
  });
  ctx.state.changed();
  return {
    bulkPayoutId,
    bulkPayoutGraphqlId: graphqlId("PlatformBulkPayout", bulkPayoutId),
    payoutCount: payouts.length,
    partnerSettlementCount: settlements.length,
  };
}

function payoutMatches(payout: PlatformPayout, filter: Input | undefined): boolean {
  if (!filter) return true;
  const criteria = filter.optionalObject("criteria");
  const tags = stringList(filter, "partnerTags");
  const partnerType = payout.partner.type as { type: string; taxationType?: string };
  return (
    within<string>(payout.status, stringList(filter, "statuses")) &&
    within(payout.partner.id, stringList(filter, "partnerIds")) &&
    within<string>(payout.account.bank, stringList(filter, "payoutAccountBanks")) &&
    overlaps(payout.partner.tags, tags) &&
    within<string>(payout.currency, stringList(filter, "payoutCurrencies")) &&
    within(payout.id, stringList(filter, "payoutIds")) &&
    within<string>(payout.taxInvoiceStatus, stringList(filter, "taxInvoiceStatuses")) &&
    within(partnerType.type, stringList(filter, "partnerTypes")) &&
    within(partnerType.taxationType ?? "", stringList(filter, "partnerTaxationTypes")) &&
    within<string>(
      payout.settlementStatement.status,
      stringList(filter, "settlementStatementStatuses"),
    ) &&
    inTimeRange(payout.createdAt, criteria?.optionalObject("timestampRange")) &&
    inTimeRange(payout.statusUpdatedAt, criteria?.optionalObject("statusUpdatedTimestampRange")) &&
    inTimeRange(payout.scheduledAt, criteria?.optionalObject("scheduledTimestampRange")) &&
    inTimeRange(
      payout.settlementStatement.issuedAt,
      criteria?.optionalObject("settlementStatementIssuedTimestampRange"),
    ) &&
    equalsIfGiven(criteria, "payoutId", payout.id) &&
    equalsIfGiven(criteria, "bulkPayoutId", payout.bulkPayoutId) &&
    equalsIfGiven(criteria, "taxInvoiceId", payout.taxInvoiceId) &&
    equalsIfGiven(criteria, "settlementStatementId", payout.settlementStatement.id)
  );
}

/** `selected` newest first: one page of them, and how many of them are in each status. */
function pageWithCounts<T extends { status: string }>(
  selected: T[],
  body: Input,
  countKeys: Record<string, string>,
) {
  const newestFirst = selected.reverse();
  const { items, page } = paginate(newestFirst, body.optionalObject("page"));
  return { items, page, counts: countBy(newestFirst, (item) => item.status, countKeys) };
}

/** The `criteria` bulk payouts and bulk account transfers share: two time ranges and an id. */
function bulkCriteria(filter: Input | undefined, idField: string) {
  const criteria = filter?.optionalObject("criteria");
  const wantedId = criteria?.optionalString(idField);
  return (view: { id: string; createdAt: string; statusUpdatedAt: string }) =>
    inTimeRange(view.createdAt, criteria?.optionalObject("timestampRange")) &&
    inTimeRange(view.statusUpdatedAt, criteria?.optionalObject("statusUpdatedTimestampRange")) &&
    (wantedId === undefined || wantedId === view.id);
}

export function getPayouts(ctx: DomainContext, body: Input, test: boolean) {
  const filter = body.optionalObject("filter");
  if (filter && !filter.has("criteria")) throw invalidRequest("filter.criteria is required.");
  const selected = [...ctx.state.platform.payouts.values()]
    .filter((p) => p.isForTest === test && payoutMatches(p.view, filter))
    .map((p) => p.view);
  return pageWithCounts(selected, body, PAYOUT_COUNT_KEYS);
}

export function getBulkPayouts(ctx: DomainContext, body: Input, test: boolean) {
  const filter = body.optionalObject("filter");
  const inCriteria = bulkCriteria(filter, "bulkPayoutId");
  const selected = [...ctx.state.platform.bulkPayouts.values()]
    .filter(
      ({ view, isForTest }) =>
        isForTest === test &&
        within<string>(view.status, stringList(filter, "statuses")) &&
        within<string>(view.method, stringList(filter, "methods")) &&
        inCriteria(view),
    )
    .map((b) => b.view);
  return pageWithCounts(selected, body, {
    PREPARING: "preparing",
    PREPARED: "prepared",
    ONGOING: "ongoing",
    POST_PROCESS_PENDING: "postProcessPending",
    COMPLETED: "completed",
    CANCELLED: "cancelled",
  });
}

function accountTransferMatches(
  w: PlatformWithdrawalAccountTransfer,
  filter: Input | undefined,
): boolean {
  if (!filter) return true;
  const exact = (field: string, value: string | undefined) => equalsIfGiven(filter, field, value);
  return (
    inTimeRange(w.tradedAt, filter.optionalObject("tradeTimestampRange")) &&
    inTimeRange(w.createdAt, filter.optionalObject("createdTimestampRange")) &&
    inTimeRange(w.statusUpdatedAt, filter.optionalObject("statusUpdatedTimestampRange")) &&
    inTimeRange(w.scheduledAt, filter.optionalObject("scheduledTimestampRange")) &&
    exact("accountTransferId", w.id) &&
    exact("bankAccountId", w.bankAccountId) &&
    exact("bulkAccountTransferId", w.bulkAccountTransferId) &&
    exact("payoutId", w.payoutId) &&
    within(w.id, stringList(filter, "accountTransferIds")) &&
    within<string>(w.type, stringList(filter, "types")) &&
    within<string>(w.status, stringList(filter, "statuses")) &&
    exact("depositAccountHolder", w.depositAccountHolder) &&
    exact("depositMemo", w.depositMemo) &&
    exact("withdrawalMemo", w.withdrawalMemo) &&
    !filter.has("depositorName")
  );
}

export function getAccountTransfers(ctx: DomainContext, body: Input, test: boolean) {
  const filter = body.optionalObject("filter");
  const selected = [...ctx.state.platform.accountTransfers.values()].filter(
    (t) => t.isForTest === test && accountTransferMatches(t, filter),
  );
  return pageWithCounts(selected, body, {
    PREPARED: "prepared",
    SCHEDULED: "scheduled",
    CANCELLED: "cancelled",
    STOPPED: "stopped",
    PROCESSING: "processing",
    ASYNC_PROCESSING: "asyncProcessing",
    SUCCEEDED: "succeeded",
    FAILED: "failed",
  });
}

export function getBulkAccountTransfers(ctx: DomainContext, body: Input, test: boolean) {
  const filter = body.optionalObject("filter");
  const inCriteria = bulkCriteria(filter, "bulkAccountTransferId");
  const selected = [...ctx.state.platform.bulkAccountTransfers.values()]
    .filter(
      ({ view, isForTest }) =>
        isForTest === test &&
        within<string>(view.status, stringList(filter, "statuses")) &&
        inCriteria(view),
    )
    .map((b) => b.view);
  return pageWithCounts(selected, body, {
    PREPARED: "prepared",
    SCHEDULED: "scheduled",
    ONGOING: "ongoing",
    COMPLETED: "completed",
  });
}
