import { randomUUID } from "node:crypto";
import type { GetAllPaymentEventsByCursorResponse } from "../../sdk/generated/payment/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type {
  CancellationRecord,
  PaymentEventRecord,
  TransactionRecord,
} from "../state/records.js";
import type { DomainContext } from "./context.js";
import { assertStore, findPayment } from "./transactions.js";
import { paymentView } from "./views.js";

const NINETY_DAYS_MS = 90 * 24 * 60 * 60 * 1000;
const CURSOR_PREFIX = "sandbox-event-";

/**
 * Appends to the payment event stream: money moved on `tx` (paid, or a cancellation that
 * succeeded). Called where the amounts change, so the stream and the payments never disagree.
 */
export function recordPaymentEvent(
  ctx: DomainContext,
  tx: TransactionRecord,
  cancellation?: CancellationRecord,
): void {
  const type = !cancellation
    ? "PAID"
    : tx.amount.cancelled === tx.amount.total
      ? "CANCELLED"
      : "PARTIAL_CANCELLED";
  ctx.state.paymentEvents.push({
    type,
    id: randomUUID(),
    paymentId: tx.paymentId,
    transactionId: tx.id,
    createdAt: isoAt(ctx.clock),
    eventAmount: cancellation ? -cancellation.totalAmount : tx.amount.paid,
    totalAmount: { ...tx.amount },
    ...(cancellation ? { cancellationId: cancellation.id } : {}),
  });
}

function decodeCursor(cursor: string): number {
  const position = Number(cursor.slice(CURSOR_PREFIX.length));
  if (!cursor.startsWith(CURSOR_PREFIX) || !Number.isSafeInteger(position) || position < 0) {
    throw invalidRequest("cursor is not a cursor this sandbox returned; start without one.");
  }
  return position;
}

/** PortOne's `PaymentEvent` for a recorded event: the payment as it is, the amounts as they were. */
function eventView(ctx: DomainContext, event: PaymentEventRecord) {
  const { payment } = findPayment(ctx, event.paymentId);
  const tx = payment.transactions.find((candidate) => candidate.id === event.transactionId);
  const view = paymentView(payment, tx as TransactionRecord, ctx.state) as unknown as Record<
    string,
    unknown
  >;
  const {
    status: _status,
    id: _id,
    transactionId: _transactionId,
    amount: _amount,
    updatedAt: _updatedAt,
    statusChangedAt: _statusChangedAt,
    paidAt: _paidAt,
    cancelledAt: _cancelledAt,
    cancellations,
    disputes,
    ...rest
  } = view;
  const cancellation = (cancellations as CancellationRecord[] | undefined)?.find(
    (candidate) => candidate.id === event.cancellationId,
  );
  return {
    ...rest,
    type: event.type,
    id: event.id,
    paymentId: event.paymentId,
    transactionId: event.transactionId,
    createdAt: event.createdAt,
    totalAmount: event.totalAmount,
    eventAmount: event.eventAmount,
    ...(event.type === "PAID" ? { disputes: disputes ?? [] } : {}),
    ...(cancellation ? { cancellation } : {}),
  };
}

/** getAllPaymentEventsByCursor: events created in [from, until], oldest first, after `cursor`. */
export function getAllPaymentEventsByCursor(
  ctx: DomainContext,
  body: Input,
): GetAllPaymentEventsByCursorResponse {
  assertStore(ctx, body.raw("storeId"));
  const until = body.optionalDate("until") ?? ctx.clock.now();
  const from = body.optionalDate("from") ?? until - NINETY_DAYS_MS;
  const size = body.optionalInteger("size") ?? 10;
  if (size < 1 || size > 1000) throw invalidRequest("size must be between 1 and 1000.");
  const cursor = body.optionalString("cursor");
  const start = cursor === undefined ? 0 : decodeCursor(cursor) + 1;
  const items: GetAllPaymentEventsByCursorResponse["items"] = [];
  const events = ctx.state.paymentEvents;
  for (let position = start; position < events.length && items.length < size; position++) {
    const event = events[position] as PaymentEventRecord;
    const time = Date.parse(event.createdAt);
    if (time < from || time > until) continue;
    items.push({
      paymentEvent: eventView(ctx, event) as never,
      cursor: `${CURSOR_PREFIX}${position}`,
    });
  }
  return { items };
}
