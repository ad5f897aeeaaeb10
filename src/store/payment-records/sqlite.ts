import type BetterSqlite3 from "better-sqlite3";
import type {
  NewPaymentRecord,
  OutboxWrite,
  PaymentRecordStore,
  PaymentRecordUpdate,
  StatusChangeWrite,
} from "../../payments/ports.js";
import type { SqliteDatabase } from "../database.js";
import { createSqliteGroupCommit } from "../sqlite-group-commit.js";
import {
  COLUMNS,
  type PaymentRecordRow,
  serializeDetails,
  toPaymentRecord,
  withOutboxWrite,
} from "./rows.js";

/** Payment records in the embedded SQLite database (synchronous driver, statements prepared once). */
export function createSqlitePaymentRecordStore(db: SqliteDatabase): PaymentRecordStore {
  const { sqlite } = db;
  const insert = sqlite.prepare(
    `INSERT INTO payment_records (${COLUMNS})
     VALUES (@paymentId, @orderId, @customerId, @totalAmount, @currency, 'PREPARED', NULL, 1, @now, @now, NULL, NULL, @guestTokenHash, NULL)
     ON CONFLICT DO NOTHING`,
  );
  const byPaymentId = sqlite.prepare(`SELECT ${COLUMNS} FROM payment_records WHERE payment_id = ?`);
  const byOrderId = sqlite.prepare(`SELECT ${COLUMNS} FROM payment_records WHERE order_id = ?`);
  const update = sqlite.prepare(
    `UPDATE payment_records
     SET status = @status, mismatch_reason = @mismatchReason, synced_at = @syncedAt,
         portone_details = @details, version = version + 1, updated_at = @now,
         unpublished_previous_status = CASE WHEN status = @status THEN unpublished_previous_status
                                            ELSE COALESCE(unpublished_previous_status, status) END
     WHERE payment_id = @paymentId AND version = @expectedVersion
     RETURNING ${COLUMNS}`,
  );
  const markSynced = sqlite.prepare(
    `UPDATE payment_records SET synced_at = ? WHERE payment_id = ? AND version = ?
     RETURNING ${COLUMNS}`,
  );
  const markPublished = sqlite.prepare(
    `UPDATE payment_records SET unpublished_previous_status = NULL
     WHERE payment_id = ? AND version = ?`,
  );
  const updatedSince = sqlite.prepare(
    `SELECT ${COLUMNS} FROM payment_records WHERE updated_at > ?
     ORDER BY updated_at, payment_id LIMIT ?`,
  );
  const commitChange = statusChangeWriter(sqlite);
  const find = (statement: typeof byPaymentId, key: string) => {
    const row = statement.get(key) as PaymentRecordRow | undefined;
    return row ? toPaymentRecord(row) : null;
  };

  return {
    async insertPaymentRecord(record: NewPaymentRecord) {
      insert.run({
        ...record,
        guestTokenHash: record.guestTokenHash ?? null,
        now: new Date().toISOString(),
      });
      const stored = find(byPaymentId, record.paymentId) ?? find(byOrderId, record.orderId);
      if (!stored) throw new Error(`payment record ${record.paymentId} vanished after insert`);
      return stored;
    },
    async getPaymentRecord(paymentId: string) {
      return find(byPaymentId, paymentId);
    },
    async findPaymentRecordByOrderId(orderId: string) {
      return find(byOrderId, orderId);
    },
    async updatePaymentRecord(
      paymentId: string,
      expectedVersion: number,
      change: PaymentRecordUpdate,
    ) {
      const row = update.get({ paymentId, expectedVersion, ...updateColumns(change) }) as
        | PaymentRecordRow
        | undefined;
      return row ? toPaymentRecord(row) : null;
    },
    recordStatusChange(paymentId: string, change: StatusChangeWrite) {
      return withOutboxWrite(change, (outboxWrite) =>
        commitChange({ paymentId, change, outboxWrite }),
      );
    },
    async markPaymentSynced(paymentId: string, version: number, syncedAt: string) {
      const row = markSynced.get(syncedAt, paymentId, version) as PaymentRecordRow | undefined;
      return row ? toPaymentRecord(row) : null;
    },
    async markPaymentEventPublished(paymentId: string, version: number) {
      markPublished.run(paymentId, version);
    },
    async listPaymentRecordsUpdatedSince(since: string, limit: number) {
      return (updatedSince.all(since, limit) as PaymentRecordRow[]).map(toPaymentRecord);
    },
  };
}

/**
 * Writes status changes (compare-and-set on the version and the unpublished mark) and, with an
 * outbox, each one's event row in the same transaction.
 */
function statusChangeWriter(
  sqlite: BetterSqlite3.Database,
): (pending: PendingChange) => Promise<WrittenChange | null> {
  const changeStatus = sqlite.prepare(
    `UPDATE payment_records
     SET status = @status, mismatch_reason = @mismatchReason, synced_at = @syncedAt,
         portone_details = @details, version = version + 1, updated_at = @now,
         unpublished_previous_status = @unpublished
     WHERE payment_id = @paymentId AND version = @expectedVersion
       AND unpublished_previous_status IS @expectedUnpublished
     RETURNING ${COLUMNS}`,
  );
  const outboxInserts = new Map<string, BetterSqlite3.Statement>();
  /** The outbox's INSERT is constant text per outbox: prepared on first use, then reused. */
  const prepared = (sql: string) => {
    let statement = outboxInserts.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      outboxInserts.set(sql, statement);
    }
    return statement;
  };
  /** One change and, with an outbox, its event row; null when the compare-and-set failed. */
  const writeChange = ({ paymentId, change, outboxWrite }: PendingChange): WrittenChange | null => {
    const row = changeStatus.get({
      paymentId,
      expectedVersion: change.expectedVersion,
      expectedUnpublished: change.expectedUnpublished,
      ...updateColumns(change.update),
      unpublished: change.markUnpublished ? change.event.previousStatus : null,
    }) as PaymentRecordRow | undefined;
    if (!row) return null;
    if (!outboxWrite) return { row, eventStored: false };
    const { sql, values } = outboxWrite.statement({ dialect: "sqlite" });
    return { row, eventStored: prepared(sql).run(...values).changes > 0 };
  };
  // A change and its event row commit together, or neither does. The changes that arrive
  // together commit together too (group commit): each commit writes the pages it touched to
  // the WAL, and the event rows of a batch share theirs.
  return createSqliteGroupCommit(sqlite, writeChange);
}

interface PendingChange {
  readonly paymentId: string;
  readonly change: StatusChangeWrite;
  /** The change's event, when the service has an outbox. */
  readonly outboxWrite: OutboxWrite | null;
}

interface WrittenChange {
  readonly row: PaymentRecordRow;
  /** False without an outbox, or when it already held the event (a late announcement's copy). */
  readonly eventStored: boolean;
}

/** The named parameters an update sets, besides the version and the unpublished mark. */
function updateColumns(change: PaymentRecordUpdate) {
  return {
    status: change.status,
    mismatchReason: change.mismatchReason,
    syncedAt: change.syncedAt,
    details: serializeDetails(change.details),
    now: new Date().toISOString(),
  };
}
