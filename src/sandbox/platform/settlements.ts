import type { PlatformPartnerSettlement } from "../../sdk/generated/platform/partnerSettlement/types.js";
import type {
  PlatformManualTransfer,
  PlatformOrderCancelTransfer,
  PlatformOrderTransfer,
} from "../../sdk/generated/platform/transfer/types.js";
import type { DomainContext } from "../domain/context.js";
import { paginate } from "../domain/pages.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import {
  equalsIfGiven,
  graphqlId,
  idsAndGraphqlIds,
  newPlatformId,
  nowIso,
  overlaps,
  startOfKoreanDate,
  stringList,
  within,
} from "./common.js";
import type { PartnerSettlementRecord, TransferRecord } from "./platform-state.js";
import { sumAmounts } from "./settlement-math.js";
import { applyDueUpdates } from "./versioned.js";

/**
 * Transfers whose settlement date the sandbox clock has reached (00:00 in Korea) are SETTLED
 * into partner settlements: one per partner, type, contract, settlement date, currency and
 * mode, still PAYOUT_PREPARED (with manualSettlementPerTransfer, one per manual transfer).
 */
export function settleDueTransfers(ctx: DomainContext): void {
  applyDueUpdates(ctx);
  const platform = ctx.state.platform;
  const now = ctx.clock.now();
  let changed = false;
  for (const record of platform.transfers.values()) {
    const { transfer } = record;
    if (transfer.status !== "SCHEDULED" || startOfKoreanDate(transfer.settlementDate) > now)
      continue;
    const contractId = transfer.type === "MANUAL" ? undefined : transfer.contract.id;
    const ownSettlement =
      transfer.type === "MANUAL" && platform.setting.manualSettlementPerTransfer;
    const existing = ownSettlement
      ? undefined
      : [...platform.partnerSettlements.values()].find(
          (s) =>
            s.status === "PAYOUT_PREPARED" &&
            s.partnerId === transfer.partner.id &&
            s.type === transfer.type &&
            s.contractId === contractId &&
            s.settlementDate === transfer.settlementDate &&
            s.settlementCurrency === transfer.settlementCurrency &&
            s.isForTest === transfer.isForTest,
        );
    const settlement: PartnerSettlementRecord = existing ?? {
      id: newPlatformId(now),
      type: transfer.type,
      partnerId: transfer.partner.id,
      ...(contractId !== undefined ? { contractId } : {}),
      settlementDate: transfer.settlementDate,
      settlementCurrency: transfer.settlementCurrency,
      isForTest: transfer.isForTest,
      status: "PAYOUT_PREPARED",
      statusUpdatedAt: nowIso(ctx),
      transferIds: [],
    };
    settlement.transferIds.push(transfer.id);
    platform.partnerSettlements.set(settlement.id, settlement);
    record.partnerSettlementId = settlement.id;
    record.transfer = { ...transfer, status: "SETTLED" };
    changed = true;
  }
  if (changed) ctx.state.changed();
}

function transfersOf(ctx: DomainContext, settlement: PartnerSettlementRecord): TransferRecord[] {
  return settlement.transferIds.flatMap((id) => {
    const record = ctx.state.platform.transfers.get(id);
    return record ? [record] : [];
  });
}

/** A settlement's net amount and tax-free part (what its payout is computed from). */
export function settlementTotals(ctx: DomainContext, settlement: PartnerSettlementRecord) {
  let amount = 0;
  let taxFree = 0;
  for (const { transfer } of transfersOf(ctx, settlement)) {
    if (transfer.type === "MANUAL") {
      amount += transfer.settlementAmount;
      taxFree += transfer.settlementTaxFreeAmount;
    } else {
      amount += transfer.amount.settlement;
      taxFree += transfer.amount.settlementTaxFree;
    }
  }
  return { amount, taxFree };
}

export function settlementView(
  ctx: DomainContext,
  settlement: PartnerSettlementRecord,
): PlatformPartnerSettlement {
  const partner = ctx.state.platform.partners.get(settlement.partnerId)?.current;
  const records = transfersOf(ctx, settlement);
  if (!partner || records.length === 0)
    throw new Error(`partner settlement ${settlement.id} lost its partner or transfers`);
  const common = {
    id: settlement.id,
    graphqlId: graphqlId("PlatformPartnerSettlement", settlement.id),
    partner,
    settlementDate: settlement.settlementDate,
    settlementCurrency: settlement.settlementCurrency,
    status: settlement.status,
    statusUpdatedAt: settlement.statusUpdatedAt,
    isForTest: settlement.isForTest,
  };
  if (settlement.type === "MANUAL") {
    const totals = settlementTotals(ctx, settlement);
    return { type: "MANUAL", ...common, amount: totals.amount, taxFreeAmount: totals.taxFree };
  }
  const transfers = records.map(
    (r) => r.transfer as PlatformOrderTransfer | PlatformOrderCancelTransfer,
  );
  const starts = transfers.map((t) => t.settlementStartDate).sort();
  return {
    type: settlement.type as "ORDER",
    ...common,
    contract: (transfers.at(-1) as PlatformOrderTransfer).contract,
    settlementStartDateRange: { from: starts[0] as string, until: starts.at(-1) as string },
    amount: sumAmounts(transfers.map((t) => t.amount)),
  };
}

const STATUS_COUNT_KEYS: Record<string, string> = {
  PAYOUT_SCHEDULED: "payoutScheduled",
  PAYOUT_PREPARED: "payoutPrepared",
  PAYOUT_WITHHELD: "payoutWithheld",
  PAYOUT_EXCLUDED: "payoutExcluded",
  PAYOUT_FAILED: "payoutFailed",
  CANCELLED: "payoutCancelled",
  CONFIRMED: "payoutConfirmed",
  IN_PAYOUT: "inPayout",
  PAID_OUT: "paidOut",
};

/** Counts of `items` by status, with every key of the schema's stats object present. */
export function countBy<T>(items: T[], status: (item: T) => string, keys: Record<string, string>) {
  const counts = Object.fromEntries(Object.values(keys).map((key) => [key, 0])) as Record<
    string,
    number
  >;
  for (const item of items) {
    const key = keys[status(item)];
    if (key) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function settlementMatches(
  ctx: DomainContext,
  s: PartnerSettlementRecord,
  filter: Input | undefined,
): boolean {
  if (!filter) return true;
  const keyword = filter.optionalObject("keyword");
  const partner = ctx.state.platform.partners.get(s.partnerId)?.current;
  const tags = stringList(filter, "partnerTags");
  const payout = s.payoutId ? ctx.state.platform.payouts.get(s.payoutId)?.view : undefined;
  return (
    within(s.settlementDate, stringList(filter, "settlementDates")) &&
    within(s.contractId ?? "", stringList(filter, "contractIds")) &&
    overlaps(partner?.tags ?? [], tags) &&
    within(s.settlementCurrency, stringList(filter, "settlementCurrencies")) &&
    within<string>(s.status, stringList(filter, "statuses")) &&
    within(s.partnerId, stringList(filter, "partnerIds")) &&
    within<string>(s.type, stringList(filter, "settlementTypes")) &&
    equalsIfGiven(keyword, "partnerSettlementId", s.id) &&
    equalsIfGiven(keyword, "payoutId", s.payoutId) &&
    equalsIfGiven(keyword, "bulkPayoutId", payout?.bulkPayoutId)
  );
}

export function getPartnerSettlements(ctx: DomainContext, body: Input, test: boolean) {
  const filter = body.object("filter");
  const selected = [...ctx.state.platform.partnerSettlements.values()]
    .filter((s) => s.isForTest === test && settlementMatches(ctx, s, filter))
    .reverse();
  const { items, page } = paginate(selected, body.optionalObject("page"));
  return {
    items: items.map((s) => settlementView(ctx, s)),
    page,
    counts: countBy(selected, (s) => s.status, STATUS_COUNT_KEYS),
  };
}

/** The named settlements, each existing once; the schema's errors for missing ones. */
export function namedSettlements(ctx: DomainContext, body: Input): PartnerSettlementRecord[] {
  const ids = stringList(body, "partnerSettlementIds");
  if (ids === undefined) throw invalidRequest("partnerSettlementIds is required.");
  const missing = ids.filter((id) => !ctx.state.platform.partnerSettlements.has(id));
  if (missing.length > 0) {
    throw new PortOneApiError(
      "PLATFORM_PARTNER_SETTLEMENTS_NOT_FOUND",
      `No partner settlements ${missing.join(", ")}.`,
      idsAndGraphqlIds("PlatformPartnerSettlement", missing),
    );
  }
  return ids.map((id) => ctx.state.platform.partnerSettlements.get(id) as PartnerSettlementRecord);
}

/** The named settlements, all still waiting for a payout; else `errorType` names the others. */
export function preparedSettlements(
  ctx: DomainContext,
  body: Input,
  errorType: string,
  message: string,
): PartnerSettlementRecord[] {
  const settlements = namedSettlements(ctx, body);
  const others = settlements.filter((s) => s.status !== "PAYOUT_PREPARED");
  if (others.length > 0) {
    throw new PortOneApiError(
      errorType,
      message,
      idsAndGraphqlIds(
        "PlatformPartnerSettlement",
        others.map((s) => s.id),
      ),
    );
  }
  return settlements;
}

/**
 * deletePlatformPartnerSettlements: PAYOUT_PREPARED settlements go, with their transfers
 * (else the next look would settle them again); an order transfer still referenced by a
 * cancel transfer outside the deletion keeps its settlement.
 */
export function deletePartnerSettlements(ctx: DomainContext, body: Input): Record<string, never> {
  const settlements = preparedSettlements(
    ctx,
    body,
    "PLATFORM_NON_DELETABLE_PARTNER_SETTLEMENTS",
    "Settlements already paid out cannot be deleted.",
  );
  const deleted = new Set(settlements.flatMap((s) => s.transferIds));
  const referenced = [...ctx.state.platform.transfers.values()]
    .filter(
      (r) => r.originalId !== undefined && deleted.has(r.originalId) && !deleted.has(r.transfer.id),
    )
    .map((r) => r.originalId as string);
  if (referenced.length > 0) {
    throw new PortOneApiError(
      "PLATFORM_REFERENCED_CANCEL_ORDER_TRANSFERS_EXIST",
      "Some order transfers of these settlements have cancel transfers elsewhere; delete those settlements too.",
      { ids: [...new Set(referenced)] },
    );
  }
  for (const id of deleted) ctx.state.platform.transfers.delete(id);
  for (const s of settlements) ctx.state.platform.partnerSettlements.delete(s.id);
  ctx.state.changed();
  return {};
}

export type { PlatformManualTransfer };
