import { z } from "zod";
import { type DatabaseTimeouts, defaultDatabaseTimeouts } from "../store/database.js";
import { type Env, integer, loadSection, type Section, textWithDefault } from "./variables.js";

/** Where records and the webhook inbox/outbox live: PostgreSQL when a URL is set, else SQLite. */
export interface StoreConfig {
  readonly databaseUrl?: string;
  /** SQLite files and the sandbox's state (created 0700). */
  readonly dataDir: string;
  /** Every wait for the database is bounded (src/store/database.ts says which bound is which). */
  readonly timeouts: DatabaseTimeouts;
}

const storeVariables = {
  DATABASE_URL: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// URL (unset it for SQLite)" })
      .optional(),
  ),
  DATA_DIR: textWithDefault("./data"),
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 120_000, defaultDatabaseTimeouts.connectMs),
  DATABASE_QUERY_TIMEOUT_MS: integer(100, 600_000, defaultDatabaseTimeouts.queryMs),
  DATABASE_IDLE_TIMEOUT_MS: integer(1_000, 3_600_000, defaultDatabaseTimeouts.idleMs),
  DATABASE_KEEPALIVE_MS: integer(1_000, 600_000, defaultDatabaseTimeouts.keepAliveMs),
  SQLITE_BUSY_TIMEOUT_MS: integer(0, 600_000, defaultDatabaseTimeouts.sqliteBusyMs),
};

/** The store section alone: the service and the operator CLI (`portone-bff webhooks`) share it. */
export function loadStoreConfig(env: Env): Section<StoreConfig> {
  return loadSection(env, storeVariables, (v) => ({
    ...(v.DATABASE_URL ? { databaseUrl: v.DATABASE_URL } : {}),
    dataDir: v.DATA_DIR,
    timeouts: {
      connectMs: v.DATABASE_CONNECT_TIMEOUT_MS,
      queryMs: v.DATABASE_QUERY_TIMEOUT_MS,
      idleMs: v.DATABASE_IDLE_TIMEOUT_MS,
      keepAliveMs: v.DATABASE_KEEPALIVE_MS,
      sqliteBusyMs: v.SQLITE_BUSY_TIMEOUT_MS,
    },
  }));
}
