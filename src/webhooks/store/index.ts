import { type Database, migrate } from "../../store/database.js";
import { guardOutages } from "../../store/store-errors.js";
import { webhookMigrations } from "./migrations.js";
import { createPostgresWebhookStore } from "./postgres.js";
import { createSqliteWebhookStore } from "./sqlite.js";
import type { WebhookStore } from "./webhook-store.js";

/**
 * The store for an already migrated database (the service runs `webhookMigrations` itself).
 * A database outage throws StoreUnavailableError from every method.
 */
export function createWebhookStore(db: Database): WebhookStore {
  return guardOutages(
    db.kind === "sqlite"
      ? createSqliteWebhookStore(db.sqlite)
      : createPostgresWebhookStore(db.pool),
  );
}

/** Applies the webhook migrations (safe with several replicas starting at once), then opens the store. */
export async function openWebhookStore(db: Database): Promise<WebhookStore> {
  await migrate(db, webhookMigrations);
  return createWebhookStore(db);
}
