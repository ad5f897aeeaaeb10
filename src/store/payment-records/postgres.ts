import type {
  NewPaymentRecord,
  PaymentRecord,
  PaymentRecordStatus,
  PaymentRecordStore,
  PaymentRecordUpdate,
} from "../../payments/ports.js";
import type { PostgresDatabase } from "../database.js";

interface Row {
  payment_id: string;
  order_id: string;
  customer_id: string | null;
  /** BIGINT arrives as a string from `pg`. */
  total_amount: string;
  currency: string;
  status: string;
  mismatch_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  synced_at: Date | null;
  unpublished_previous_status: string | null;
  guest_token_hash: string | null;
}

const COLUMNS =
  "payment_id, order_id, customer_id, total_amount, currency, status, mismatch_reason, version, created_at, updated_at, synced_at, unpublished_previous_status, guest_token_hash";

function toRecord(row: Row): PaymentRecord {
  return {
    paymentId: row.payment_id,
    orderId: row.order_id,
    customerId: row.customer_id,
    totalAmount: Number(row.total_amount),
    currency: row.currency,
    status: row.status as PaymentRecordStatus,
    mismatchReason: row.mismatch_reason,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    syncedAt: row.synced_at ? row.synced_at.toISOString() : null,
    unpublishedPreviousStatus: row.unpublished_previous_status as PaymentRecordStatus | null,
    guestTokenHash: row.guest_token_hash,
  };
}

/** Payment records in PostgreSQL, shared by every replica of the service. */
export function createPostgresPaymentRecordStore(db: PostgresDatabase): PaymentRecordStore {
  const { pool } = db;
  const find = async (column: "payment_id" | "order_id", key: string) => {
    const { rows } = await pool.query<Row>(
      `SELECT ${COLUMNS} FROM payment_records WHERE ${column} = $1`,
      [key],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  };

  return {
    async insertPaymentRecord(record: NewPaymentRecord) {
      await pool.query(
        `INSERT INTO payment_records (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, 'PREPARED', NULL, 1, $6, $6, NULL, NULL, $7)
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
      const { rows } = await pool.query<Row>(
        `UPDATE payment_records
         SET status = $3, mismatch_reason = $4, synced_at = $5, version = version + 1, updated_at = $6,
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
        ],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async markPaymentEventPublished(paymentId: string, version: number) {
      await pool.query(
        `UPDATE payment_records SET unpublished_previous_status = NULL
         WHERE payment_id = $1 AND version = $2`,
        [paymentId, version],
      );
    },
    async listPaymentRecordsUpdatedSince(since: string, limit: number) {
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM payment_records WHERE updated_at > $1
         ORDER BY updated_at, payment_id LIMIT $2`,
        [new Date(since), limit],
      );
      return rows.map(toRecord);
    },
  };
}
