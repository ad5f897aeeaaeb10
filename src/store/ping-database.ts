import type { Database } from "./database.js";

/** True when the database answers a trivial query (readiness). */
export async function pingDatabase(db: Database): Promise<boolean> {
  if (db.kind === "sqlite") {
    db.sqlite.prepare("SELECT 1").get();
    return true;
  }
  await db.pool.query("SELECT 1");
  return true;
}
