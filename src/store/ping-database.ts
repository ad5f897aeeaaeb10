import type { Database } from "./database.js";
import { translateStoreError } from "./store-errors.js";

/**
 * True when the database answers a trivial query (readiness). Bounded by the database's
 * connect and query timeouts; an outage rejects with StoreUnavailableError.
 */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    if (db.kind === "sqlite") {
      db.sqlite.prepare("SELECT 1").get();
      return true;
    }
    await db.pool.query("SELECT 1");
    return true;
  } catch (error) {
    translateStoreError(error);
  }
}
