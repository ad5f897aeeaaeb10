import type { Migration } from "../database.js";

/** Payment records: which order a paymentId pays, and our last verdict on it. */
export const paymentRecordMigrations: readonly Migration[] = [
  {
    id: "payments-001-payment-records",
    sqlite: `
      CREATE TABLE payment_records (
        payment_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL UNIQUE,
        customer_id TEXT,
        total_amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        mismatch_reason TEXT,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        synced_at TEXT
      );
      CREATE INDEX payment_records_updated_at ON payment_records (updated_at, payment_id);
    `,
    postgres: `
      CREATE TABLE payment_records (
        payment_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL UNIQUE,
        customer_id TEXT,
        total_amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        mismatch_reason TEXT,
        version INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        synced_at TIMESTAMPTZ
      );
      CREATE INDEX payment_records_updated_at ON payment_records (updated_at, payment_id);
    `,
  },
  {
    id: "payments-002-unpublished-change",
    sqlite: "ALTER TABLE payment_records ADD COLUMN unpublished_previous_status TEXT",
    postgres: "ALTER TABLE payment_records ADD COLUMN unpublished_previous_status TEXT",
  },
  {
    // SHA-256 of the guest token that proves who started a guest order's checkout.
    id: "payments-003-guest-token-hash",
    sqlite: "ALTER TABLE payment_records ADD COLUMN guest_token_hash TEXT",
    postgres: "ALTER TABLE payment_records ADD COLUMN guest_token_hash TEXT",
  },
  {
    // What PortOne said about the payment at its last sync (JSON), so reads can answer from the
    // record. Existing rows start without it: their next read syncs once and fills it in.
    id: "payments-004-portone-details",
    sqlite: "ALTER TABLE payment_records ADD COLUMN portone_details TEXT",
    postgres: "ALTER TABLE payment_records ADD COLUMN portone_details TEXT",
  },
];
