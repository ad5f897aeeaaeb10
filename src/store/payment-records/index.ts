import type { PaymentRecordStore } from "../../payments/ports.js";
import type { Database } from "../database.js";
import { createPostgresPaymentRecordStore } from "./postgres.js";
import { createSqlitePaymentRecordStore } from "./sqlite.js";

export { paymentRecordMigrations } from "./migrations.js";

/** The payment record store for whichever database the service opened. */
export function createPaymentRecordStore(db: Database): PaymentRecordStore {
  return db.kind === "sqlite"
    ? createSqlitePaymentRecordStore(db)
    : createPostgresPaymentRecordStore(db);
}
