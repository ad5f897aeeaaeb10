import { z } from "zod";
import { type Env, loadSection, type Section, textWithDefault } from "./variables.js";

/** Where records and the webhook inbox/outbox live: PostgreSQL when a URL is set, else SQLite. */
export interface StoreConfig {
  readonly databaseUrl?: string;
  /** SQLite files and the sandbox's state (created 0700). */
  readonly dataDir: string;
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
};

/** The store section alone: the service and the operator CLI (`portone-bff webhooks`) share it. */
export function loadStoreConfig(env: Env): Section<StoreConfig> {
  return loadSection(env, storeVariables, (v) => ({
    ...(v.DATABASE_URL ? { databaseUrl: v.DATABASE_URL } : {}),
    dataDir: v.DATA_DIR,
  }));
}
