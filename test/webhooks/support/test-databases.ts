import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Database, openDatabase } from "../../../src/store/database.js";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

if (!TEST_DATABASE_URL) {
  console.warn(
    `PostgreSQL variants of the webhook suites skipped: ${process.env.TEST_DATABASE_SKIPPED ?? "TEST_DATABASE_URL is not set"}. Start PostgreSQL at 127.0.0.1:5432 or set TEST_DATABASE_URL.`,
  );
}

/** A private SQLite directory, removed by `cleanup`. */
export function temporarySqlite(): { dataDir: string; cleanup(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), "portone-bff-webhooks-"));
  return { dataDir, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/**
 * A fresh schema on the test PostgreSQL, so test files running in parallel never see each
 * other's rows. `url` selects the schema through the connection's search_path, so child
 * processes given it as DATABASE_URL use the same schema.
 */
export async function temporaryPostgresSchema(
  baseUrl: string,
): Promise<{ url: string; cleanup(): Promise<void> }> {
  const schema = `webhooks_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Pool({ connectionString: baseUrl, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export interface TestDatabase {
  readonly db: Database;
  /** What a child process would get as DATABASE_URL (undefined for SQLite). */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  close(): Promise<void>;
}

export type DatabaseKind = "sqlite" | "postgres";

export const DATABASE_KINDS: readonly { kind: DatabaseKind; skip: boolean }[] = [
  { kind: "sqlite", skip: false },
  { kind: "postgres", skip: !TEST_DATABASE_URL },
];

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const sqlite = temporarySqlite();
  if (kind === "sqlite") {
    const db = await openDatabase({ dataDir: sqlite.dataDir });
    return {
      db,
      databaseUrl: undefined,
      dataDir: sqlite.dataDir,
      async close() {
        await db.close();
        sqlite.cleanup();
      },
    };
  }
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is required for PostgreSQL tests");
  const schema = await temporaryPostgresSchema(TEST_DATABASE_URL);
  const db = await openDatabase({ databaseUrl: schema.url, dataDir: sqlite.dataDir });
  return {
    db,
    databaseUrl: schema.url,
    dataDir: sqlite.dataDir,
    async close() {
      await db.close();
      await schema.cleanup();
      sqlite.cleanup();
    },
  };
}
