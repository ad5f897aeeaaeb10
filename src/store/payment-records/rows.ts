import type {
  OutboxWrite,
  PaymentDetails,
  PaymentRecord,
  PaymentRecordStatus,
  StatusChangeWrite,
} from "../../payments/ports.js";

/** Every column of `payment_records`, in the order both dialects insert and select them. */
export const COLUMNS =
  "payment_id, order_id, customer_id, total_amount, currency, status, mismatch_reason, version, created_at, updated_at, synced_at, unpublished_previous_status, guest_token_hash, portone_details";

/**
 * A `payment_records` row as either driver returns it: `pg` gives BIGINT as a string and
 * TIMESTAMPTZ as a Date; SQLite stores numbers and ISO-8601 text.
 */
export interface PaymentRecordRow {
  payment_id: string;
  order_id: string;
  customer_id: string | null;
  total_amount: number | string;
  currency: string;
  status: string;
  mismatch_reason: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  synced_at: Date | string | null;
  unpublished_previous_status: string | null;
  guest_token_hash: string | null;
  portone_details: string | null;
}

function isoTime(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}

export function toPaymentRecord(row: PaymentRecordRow): PaymentRecord {
  return {
    paymentId: row.payment_id,
    orderId: row.order_id,
    customerId: row.customer_id,
    totalAmount: Number(row.total_amount),
    currency: row.currency,
    status: row.status as PaymentRecordStatus,
    mismatchReason: row.mismatch_reason,
    version: row.version,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    syncedAt: row.synced_at === null ? null : isoTime(row.synced_at),
    unpublishedPreviousStatus: row.unpublished_previous_status as PaymentRecordStatus | null,
    guestTokenHash: row.guest_token_hash,
    details: parseDetails(row.portone_details),
  };
}

/** Stored details as JSON text; unreadable ones count as none, so the next read syncs again. */
export function serializeDetails(details: PaymentDetails | null): string | null {
  return details === null ? null : JSON.stringify(details);
}

function parseDetails(text: string | null): PaymentDetails | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as PaymentDetails) : null;
  } catch {
    return null;
  }
}

/**
 * A status change written by `write` (the dialect's statement or transaction), with its event
 * when the change has an outbox: the outbox's write is opened first and settled exactly once,
 * after the write ended however it ended, with whether it committed the event's row.
 */
export async function withOutboxWrite(
  change: StatusChangeWrite,
  write: (
    outboxWrite: OutboxWrite | null,
  ) => Promise<{ readonly row: PaymentRecordRow; readonly eventStored: boolean } | null>,
): Promise<PaymentRecord | null> {
  const outboxWrite = change.outbox?.beginWrite(change.event) ?? null;
  let eventStored = false;
  try {
    const written = await write(outboxWrite);
    eventStored = written?.eventStored ?? false;
    return written ? toPaymentRecord(written.row) : null;
  } finally {
    outboxWrite?.settle(eventStored);
  }
}
