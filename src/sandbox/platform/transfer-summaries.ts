import type {
  PlatformTransferSummary,
  PlatformUserDefinedPropertyKeyValue,
} from "../../sdk/generated/platform/transfer/types.js";
import type { PlatformPartner } from "../../sdk/generated/platform/types.js";
import type { DomainContext } from "../domain/context.js";
import { paginate } from "../domain/pages.js";
import { invalidRequest } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import { contains, inDateRange, overlaps, paymentOf, stringList, within } from "./common.js";
import type { PlatformTransferView, TransferRecord } from "./platform-state.js";
import { transferView } from "./transfers.js";

function keyValues(partner: PlatformPartner): PlatformUserDefinedPropertyKeyValue[] {
  return Object.entries(partner.userDefinedProperties).map(([key, value]) => ({ key, value }));
}

function summaryOf(transfer: PlatformTransferView, storeId: string): PlatformTransferSummary {
  const { partner } = transfer;
  const taxationType = (partner.type as { taxationType?: string }).taxationType;
  const common = {
    id: transfer.id,
    graphqlId: transfer.graphqlId,
    partner: {
      id: partner.id,
      graphqlId: partner.graphqlId,
      name: partner.name,
      type: partner.type.type as string,
      ...(taxationType ? { taxationType } : {}),
      userDefinedProperties: keyValues(partner),
    },
    status: transfer.status,
    ...(transfer.memo !== undefined ? { memo: transfer.memo } : {}),
    settlementDate: transfer.settlementDate,
    settlementCurrency: transfer.settlementCurrency,
    isForTest: transfer.isForTest,
    partnerUserDefinedProperties: keyValues(partner),
    userDefinedProperties: transfer.userDefinedProperties,
  };
  if (transfer.type === "MANUAL") {
    return {
      type: "MANUAL",
      ...common,
      settlementAmount: transfer.settlementAmount,
      settlementTaxFreeAmount: transfer.settlementTaxFreeAmount,
    };
  }
  const payment = transfer.payment as {
    type: "PORT_ONE" | "EXTERNAL";
    id: string;
    orderName?: string;
    currency: string;
    method?: { type: string };
  };
  return {
    type: transfer.type as "ORDER",
    ...common,
    storeId,
    contract: transfer.contract,
    amount: transfer.amount,
    payment: {
      type: payment.type as "PORT_ONE",
      id: payment.id,
      orderName: payment.orderName ?? "",
      currency: payment.currency,
      ...(payment.method ? { methodType: payment.method.type } : {}),
    },
    settlementStartDate: transfer.settlementStartDate,
  };
}

function transferMatches(
  record: TransferRecord,
  transfer: PlatformTransferView,
  filter: Input | undefined,
): boolean {
  if (!filter) return true;
  const keyword = filter.optionalObject("keyword");
  const order = transfer.type === "MANUAL" ? undefined : transfer;
  const tags = stringList(filter, "partnerTags");
  const products = order?.orderLines.map((line) => line.product) ?? [];
  const property = filter.optionalObject("userDefinedProperty");
  const all = keyword?.optionalString("all");
  const haystack = [
    transfer.id,
    transfer.memo,
    transfer.partner.id,
    transfer.partner.name,
    order ? paymentOf(order.payment).id : undefined,
    ...products.map((p) => p.id),
  ];
  return (
    inDateRange(
      order?.settlementStartDate ?? transfer.settlementDate,
      filter.optionalObject("settlementStartDateRange"),
    ) &&
    inDateRange(transfer.settlementDate, filter.optionalObject("settlementDateRange")) &&
    overlaps(transfer.partner.tags, tags) &&
    within(order?.contract.id ?? "", stringList(filter, "contractIds")) &&
    overlaps(
      order?.discounts.map((d) => d.sharePolicy.id) ?? [],
      stringList(filter, "discountSharePolicyIds"),
    ) &&
    overlaps(
      order?.additionalFees.map((f) => f.policy.id) ?? [],
      stringList(filter, "additionalFeePolicyIds"),
    ) &&
    within(
      (order?.payment as { method?: { type: string } } | undefined)?.method?.type ?? "",
      stringList(filter, "paymentMethodTypes"),
    ) &&
    within(
      (order?.payment as { channelKey?: string } | undefined)?.channelKey ?? "",
      stringList(filter, "channelKeys"),
    ) &&
    within<string>(transfer.type, stringList(filter, "types")) &&
    within<string>(transfer.status, stringList(filter, "statuses")) &&
    (property === undefined ||
      transfer.userDefinedProperties.some(
        (p) => p.key === property.string("key") && p.value.string === property.string("value"),
      )) &&
    (all === undefined || haystack.some((value) => contains(value, all))) &&
    contains(order ? paymentOf(order.payment).id : "", keyword?.optionalString("paymentId")) &&
    contains(transfer.id, keyword?.optionalString("transferId")) &&
    contains(transfer.memo, keyword?.optionalString("transferMemo")) &&
    (keyword?.optionalString("productId") === undefined ||
      products.some((p) => contains(p.id, keyword.optionalString("productId")))) &&
    (keyword?.optionalString("productName") === undefined ||
      products.some((p) => contains(p.name, keyword.optionalString("productName")))) &&
    contains(transfer.partner.id, keyword?.optionalString("partnerId")) &&
    contains(transfer.partner.name, keyword?.optionalString("partnerName")) &&
    contains(transfer.partner.memo, keyword?.optionalString("partnerMemo")) &&
    contains(record.partnerSettlementId, keyword?.optionalString("partnerSettlementId")) &&
    contains(transfer.payoutId, keyword?.optionalString("payoutId"))
  );
}

function selectTransfers(
  ctx: DomainContext,
  filter: Input | undefined,
  test: boolean,
): PlatformTransferView[] {
  const wanted = filter?.optionalBoolean("isForTest") ?? test;
  return [...ctx.state.platform.transfers.values()]
    .map((record) => ({ record, transfer: transferView(ctx, record) }))
    .filter(
      ({ record, transfer }) =>
        transfer.isForTest === wanted && transferMatches(record, transfer, filter),
    )
    .map(({ transfer }) => transfer)
    .reverse();
}

export function getTransferSummaries(ctx: DomainContext, body: Input, test: boolean) {
  const selected = selectTransfers(ctx, body.optionalObject("filter"), test);
  const { items, page } = paginate(selected, body.optionalObject("page"));
  const storeId = ctx.state.credentials.storeId;
  return { transferSummaries: items.map((t) => summaryOf(t, storeId)), page };
}

/** The sheet's columns: a key, and how a transfer fills it. */
const COLUMNS: Record<string, (t: PlatformTransferView) => string | number> = {
  type: (t) => t.type,
  id: (t) => t.id,
  status: (t) => t.status,
  partnerId: (t) => t.partner.id,
  partnerName: (t) => t.partner.name,
  paymentId: (t) => (t.type === "MANUAL" ? "" : paymentOf(t.payment).id),
  settlementStartDate: (t) => (t.type === "MANUAL" ? "" : t.settlementStartDate),
  settlementDate: (t) => t.settlementDate,
  settlementCurrency: (t) => t.settlementCurrency,
  orderAmount: (t) => (t.type === "MANUAL" ? "" : t.amount.order),
  paymentAmount: (t) => (t.type === "MANUAL" ? "" : t.amount.payment),
  discountShareAmount: (t) => (t.type === "MANUAL" ? "" : t.amount.discountShare),
  platformFee: (t) => (t.type === "MANUAL" ? "" : t.amount.platformFee),
  platformFeeVat: (t) => (t.type === "MANUAL" ? "" : t.amount.platformFeeVat),
  additionalFee: (t) => (t.type === "MANUAL" ? "" : t.amount.additionalFee),
  additionalFeeVat: (t) => (t.type === "MANUAL" ? "" : t.amount.additionalFeeVat),
  settlementAmount: (t) => (t.type === "MANUAL" ? t.settlementAmount : t.amount.settlement),
  settlementTaxFreeAmount: (t) =>
    t.type === "MANUAL" ? t.settlementTaxFreeAmount : t.amount.settlementTaxFree,
  memo: (t) => t.memo ?? "",
};

function csvCell(value: string | number): string {
  const text = String(value);
  // Quote what would break the row, and defuse spreadsheet formulas in free text.
  const safe = /^[=+\-@]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** downloadPlatformTransferSheet: the filtered transfers as CSV, columns by `fields`. */
export function transferSheet(ctx: DomainContext, body: Input, test: boolean): string {
  const fields = stringList(body, "fields") ?? Object.keys(COLUMNS);
  const unknown = fields.find((field) => !(field in COLUMNS));
  if (unknown !== undefined) {
    throw invalidRequest(`Unknown sheet field ${unknown}; use ${Object.keys(COLUMNS).join(", ")}.`);
  }
  const rows = selectTransfers(ctx, body.optionalObject("filter"), test).map((transfer) =>
    fields
      .map((field) =>
        csvCell((COLUMNS[field] as (t: PlatformTransferView) => string | number)(transfer)),
      )
      .join(","),
  );
  return `${[fields.join(","), ...rows].join("\r\n")}\r\n`;
}
