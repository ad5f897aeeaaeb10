import { randomUUID } from "node:crypto";
import type {
  CreatePaymentScheduleResponse,
  GetPaymentSchedulesResponse,
  RevokePaymentSchedulesResponse,
} from "../../sdk/generated/payment/paymentSchedule/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { ScheduleRecord, ScheduleStatus } from "../state/records.js";
import { findLiveBillingKey } from "./billing-keys.js";
import type { DomainContext } from "./context.js";
import { customerFromApi } from "./customers.js";
import { payWithBillingKey } from "./direct-payments.js";
import { compareBy, paginate } from "./pages.js";
import { assertStore, currentTransaction, isPending, isSettled } from "./transactions.js";
import { scheduleView } from "./views.js";

export function createPaymentSchedule(
  ctx: DomainContext,
  paymentId: string,
  body: Input,
): CreatePaymentScheduleResponse {
  const paymentInput = body.object("payment");
  const timeToPay = body.optionalDate("timeToPay");
  if (timeToPay === undefined) throw invalidRequest("timeToPay is required.");
  assertStore(ctx, paymentInput.raw("storeId"));
  const billingKey = findLiveBillingKey(ctx, paymentInput.string("billingKey"));
  assertSchedulable(ctx, paymentId);
  const amount = paymentInput.object("amount");
  const total = amount.integer("total");
  const taxFree = amount.optionalInteger("taxFree");
  if ((taxFree ?? 0) + (amount.optionalInteger("vat") ?? 0) > total) {
    throw new PortOneApiError(
      "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT",
      "amount.taxFree plus amount.vat exceed amount.total.",
    );
  }
  const record: ScheduleRecord = {
    status: "SCHEDULED",
    id: randomUUID(),
    merchantId: ctx.state.credentials.merchantId,
    storeId: ctx.state.credentials.storeId,
    paymentId,
    billingKey: billingKey.billingKey,
    orderName: paymentInput.string("orderName"),
    isCulturalExpense: false,
    isEscrow: false,
    customer: customerFromApi(paymentInput.optionalObject("customer")?.toJSON()),
    customData: paymentInput.optionalString("customData") ?? "",
    totalAmount: total,
    currency: paymentInput.string("currency"),
    createdAt: isoAt(ctx.clock),
    timeToPay: new Date(timeToPay).toISOString(),
    paymentInput: paymentInput.toJSON(),
  };
  if (taxFree !== undefined) record.taxFreeAmount = taxFree;
  const vat = amount.optionalInteger("vat");
  if (vat !== undefined) record.vatAmount = vat;
  const installmentMonth = paymentInput.optionalInteger("installmentMonth");
  if (installmentMonth !== undefined) record.installmentMonth = installmentMonth;
  const noticeUrls = paymentInput.optionalArray("noticeUrls");
  if (noticeUrls) record.noticeUrls = noticeUrls as string[];
  const products = paymentInput.optionalArray("products");
  if (products) record.products = products as ScheduleRecord["products"];
  ctx.state.schedules.set(record.id, record);
  ctx.state.changed();
  return { schedule: { id: record.id } };
}

/** A payment id can be scheduled while nothing paid it, nothing awaits money, no schedule holds it. */
function assertSchedulable(ctx: DomainContext, paymentId: string): void {
  const payment = ctx.state.payments.get(paymentId);
  const tx = payment && currentTransaction(payment);
  if (tx && (isSettled(tx.status) || isPending(tx.status))) {
    throw new PortOneApiError(
      "ALREADY_PAID_OR_WAITING",
      `Payment ${paymentId} is already paid or waiting for payment.`,
    );
  }
  const taken = [...ctx.state.schedules.values()].some(
    (schedule) =>
      schedule.paymentId === paymentId &&
      (schedule.status === "SCHEDULED" || schedule.status === "STARTED"),
  );
  if (taken) {
    throw new PortOneApiError(
      "PAYMENT_SCHEDULE_ALREADY_EXISTS",
      `Payment ${paymentId} already has a schedule.`,
    );
  }
}

function findSchedule(ctx: DomainContext, id: string): ScheduleRecord {
  const record = ctx.state.schedules.get(id);
  if (!record)
    throw new PortOneApiError("PAYMENT_SCHEDULE_NOT_FOUND", `No payment schedule ${id}.`);
  return record;
}

export function getPaymentSchedule(ctx: DomainContext, id: string, storeId: unknown) {
  assertStore(ctx, storeId);
  return scheduleView(findSchedule(ctx, id));
}

const sortKeys = {
  CREATED_AT: (r: ScheduleRecord) => r.createdAt,
  TIME_TO_PAY: (r: ScheduleRecord) => r.timeToPay,
  COMPLETED_AT: (r: ScheduleRecord) => r.completedAt ?? "",
  STATUS_TIMESTAMP: (r: ScheduleRecord) =>
    r.revokedAt ?? r.completedAt ?? r.startedAt ?? r.createdAt,
} as const;

export function getPaymentSchedules(ctx: DomainContext, body: Input): GetPaymentSchedulesResponse {
  const filter = body.optionalObject("filter");
  assertStore(ctx, filter?.raw("storeId"));
  const billingKey = filter?.optionalString("billingKey");
  const from = filter?.optionalDate("from");
  const until = filter?.optionalDate("until");
  const statuses = filter?.optionalArray("status") as ScheduleStatus[] | undefined;
  if (filter?.optionalBoolean("isForTest") === false)
    return { items: [], page: paginate([], body.optionalObject("page")).page };
  const sort = body.optionalObject("sort");
  const key =
    sortKeys[
      sort?.oneOf("by", Object.keys(sortKeys) as (keyof typeof sortKeys)[]) ?? "TIME_TO_PAY"
    ];
  const order = sort?.oneOf("order", ["ASC", "DESC"] as const) ?? "DESC";
  const matching = [...ctx.state.schedules.values()].filter((record) => {
    const time = Date.parse(record.timeToPay);
    if (from !== undefined && time < from) return false;
    if (until !== undefined && time >= until) return false;
    if (billingKey !== undefined && record.billingKey !== billingKey) return false;
    if (statuses && !statuses.includes(record.status)) return false;
    return true;
  });
  matching.sort(compareBy(key, order));
  const { items, page } = paginate(matching, body.optionalObject("page"));
  return { items: items.map(scheduleView), page };
}

export function revokePaymentSchedules(
  ctx: DomainContext,
  body: Input,
): RevokePaymentSchedulesResponse {
  assertStore(ctx, body.raw("storeId"));
  const billingKey = body.optionalString("billingKey");
  const scheduleIds = body.optionalArray("scheduleIds") as string[] | undefined;
  if (!billingKey && !scheduleIds?.length) {
    throw invalidRequest("Give billingKey (revokes all its schedules) or scheduleIds.");
  }
  let targets: ScheduleRecord[];
  if (scheduleIds?.length) {
    targets = scheduleIds.map((id) => findSchedule(ctx, String(id)));
    for (const target of targets) {
      if (target.status === "REVOKED") {
        throw new PortOneApiError(
          "PAYMENT_SCHEDULE_ALREADY_REVOKED",
          `Schedule ${target.id} is already revoked.`,
        );
      }
      if (target.status !== "SCHEDULED") {
        throw new PortOneApiError(
          "PAYMENT_SCHEDULE_ALREADY_PROCESSED",
          `Schedule ${target.id} is already ${target.status}.`,
        );
      }
      if (billingKey !== undefined && target.billingKey !== billingKey) {
        throw invalidRequest(`Schedule ${target.id} does not belong to billing key ${billingKey}.`);
      }
    }
  } else {
    findLiveBillingKey(ctx, billingKey as string);
    targets = [...ctx.state.schedules.values()].filter(
      (record) => record.billingKey === billingKey && record.status === "SCHEDULED",
    );
  }
  const now = isoAt(ctx.clock);
  for (const target of targets) {
    target.status = "REVOKED";
    target.revokedAt = now;
  }
  ctx.state.changed();
  return { revokedScheduleIds: targets.map((target) => target.id), revokedAt: now };
}

/** Runs every SCHEDULED schedule whose timeToPay has come (by the sandbox clock). */
export function runDueSchedules(ctx: DomainContext): number {
  const now = ctx.clock.now();
  const due = [...ctx.state.schedules.values()]
    .filter((record) => record.status === "SCHEDULED" && Date.parse(record.timeToPay) <= now)
    .sort(compareBy((record) => record.timeToPay, "ASC"));
  for (const record of due) {
    record.status = "STARTED";
    record.startedAt = isoAt(ctx.clock);
    try {
      payWithBillingKey(ctx, record.paymentId, Input.of(record.paymentInput), record.id);
      record.status = "SUCCEEDED";
    } catch (error) {
      if (!(error instanceof PortOneApiError)) throw error;
      record.status = "FAILED";
    }
    record.completedAt = isoAt(ctx.clock);
    ctx.state.changed();
  }
  return due.length;
}
