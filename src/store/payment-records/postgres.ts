import type {
  NewPaymentRecord,
  OutboxWrite,
  PaymentRecordStore,
  PaymentRecordUpdate,
  StatusChangeWrite,
} from "../../payments/ports.js";
import type { PostgresDatabase } from "../database.js";
import {
  COLUMNS,
  type PaymentRecordRow,
  serializeDetails,
  toPaymentRecord,
  withOutboxWrite,
} from "./rows.js";

/** Payment records in PostgreSQL, shared by every replica of the service. */
export function createPostgresPaymentRecordStore(db: PostgresDatabase): PaymentRecordStore {
  const { pool } = db;
  const find = async (column: "payment_id" | "order_id", key: string) => {
    const { rows } = await pool.query<PaymentRecordRow>(
      `SELECT ${COLUMNS} FROM payment_records WHERE ${column} = $1`,
      [key],
    );
    return rows[0] ? toPaymentRecord(rows[0]) : null;
  };

  return {
    async insertPaymentRecord(record: NewPaymentRecord) {
      await pool.query(
        `INSERT INTO payment_records (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, 'PREPARED', NULL, 1, $6, $6, NULL, NULL, $7, NULL)
         ON CONFLICT DO NOTHING`,
        [
          record.paymentId,
          record.orderId,
          record.customerId,
          record.totalAmount,
          record.currency,
          new Date(),
          record.guestTokenHash ?? null,
        ],
      );
      const stored =
        (await find("payment_id", record.paymentId)) ?? (await find("order_id", record.orderId));
      if (!stored) throw new Error(`payment record ${record.paymentId} vanished after insert`);
      return stored;
    },
    getPaymentRecord(paymentId: string) {
      return find("payment_id", paymentId);
    },
    findPaymentRecordByOrderId(orderId: string) {
      return find("order_id", orderId);
    },
    async updatePaymentRecord(
      paymentId: string,
      expectedVersion: number,
      change: PaymentRecordUpdate,
    ) {
      const { rows } = await pool.query<PaymentRecordRow>(
        `UPDATE payment_records
         SET status = $3, mismatch_reason = $4, synced_at = $5, version = version + 1, updated_at = $6,
             portone_details = $7,
             unpublished_previous_status = CASE WHEN status = $3 THEN unpublished_previous_status
                                                ELSE COALESCE(unpublished_previous_status, status) END
         WHERE payment_id = $1 AND version = $2
         RETURNING ${COLUMNS}`,
        [
          paymentId,
          expectedVersion,
          change.status,
          change.mismatchReason,
          new Date(change.syncedAt),
          new Date(),
          serializeDetails(change.details),
        ],
      );
      return rows[0] ? toPaymentRecord(rows[0]) : null;
    },
    recordStatusChange(paymentId: string, change: StatusChangeWrite) {
      return withOutboxWrite(change, async (outboxWrite) => {
        const { sql, values } = statusChangeStatement(paymentId, change, outboxWrite);
        const { rows } = await pool.query<PaymentRecordRow & { event_stored: boolean }>(
          sql,
          values,
        );
        const row = rows[0];
        return row ? { row, eventStored: row.event_stored } : null;
      });
    },
    async markPaymentSynced(paymentId: string, version: number, syncedAt: string) {
      const { rows } = await pool.query<PaymentRecordRow>(
        `UPDATE payment_records SET synced_at = $3 WHERE payment_id = $1 AND version = $2
         RETURNING ${COLUMNS}`,
        [paymentId, version, new Date(syncedAt)],
      );
      return rows[0] ? toPaymentRecord(rows[0]) : null;
    },
    async markPaymentEventPublished(paymentId: string, version: number) {
      await pool.query(
        `UPDATE payment_records SET unpublished_previous_status = NULL
         WHERE payment_id = $1 AND version = $2`,
        [paymentId, version],
      );
    },
    async listPaymentRecordsUpdatedSince(since: string, limit: number) {
      const { rows } = await pool.query<PaymentRecordRow>(
        `SELECT ${COLUMNS} FROM payment_records WHERE updated_at > $1
         ORDER BY updated_at, payment_id LIMIT $2`,
        [new Date(since), limit],
      );
      return rows.map(toPaymentRecord);
    },
  };
}

/**
 * A status change as one statement: the compare-and-set UPDATE and, with an outbox, the event's
 * INSERT in a data-modifying CTE fed by the updated row, so both commit together and a lost
 * race inserts nothing. One round trip, no explicit transaction.
 */
function statusChangeStatement(
  paymentId: string,
  change: StatusChangeWrite,
  outboxWrite: OutboxWrite | null,
) {
  const { update } = change;
  const values: unknown[] = [
    paymentId,
    change.expectedVersion,
    update.status,
    update.mismatchReason,
    new Date(update.syncedAt),
    new Date(),
    serializeDetails(update.details),
    change.markUnpublished ? change.event.previousStatus : null,
    change.expectedUnpublished,
  ];
  const updated = `updated AS (
    UPDATE payment_records
    SET status = $3, mismatch_reason = $4, synced_at = $5, version = version + 1, updated_at = $6,
        portone_details = $7, unpublished_previous_status = $8
    WHERE payment_id = $1 AND version = $2 AND unpublished_previous_status IS NOT DISTINCT FROM $9
    RETURNING ${COLUMNS})`;
  if (!outboxWrite)
    return { sql: `WITH ${updated} SELECT *, false AS event_stored FROM updated`, values };
  const insert = outboxWrite.statement({
    dialect: "postgres",
    firstParameter: values.length + 1,
    perRowOf: "updated",
  });
  return {
    sql: `WITH ${updated}, stored AS (${insert.sql} RETURNING 1)
      SELECT *, EXISTS (SELECT 1 FROM stored) AS event_stored FROM updated`,
    values: [...values, ...insert.values],
  };
}
