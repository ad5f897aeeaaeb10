import type { PaymentRecordStore } from "../../payments/ports.js";
import type { Database } from "../database.js";
import { guardOutages } from "../store-errors.js";
import { createPostgresPaymentRecordStore } from "./postgres.js";
import { createSqlitePaymentRecordStore } from "./sqlite.js";

export { paymentRecordMigrations } from "./migrations.js";

/** The payment record store for whichever database the service opened; outages throw StoreUnavailableError. */
export function createPaymentRecordStore(db: Database): PaymentRecordStore {
  return guardOutages(
    db.kind === "sqlite"
      ? createSqlitePaymentRecordStore(db)
      : createPostgresPaymentRecordStore(db),
  );
}
