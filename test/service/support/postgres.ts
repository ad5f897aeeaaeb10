import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL the suites may use; unset means "skip the PostgreSQL cases, with a warning". */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export function warnPostgresSkipped(suite: string): void {
  if (!TEST_DATABASE_URL)
    console.warn(
      `[${suite}] PostgreSQL cases skipped: ${process.env.TEST_DATABASE_SKIPPED ?? "TEST_DATABASE_URL is not set"}`,
    );
}

/**
 * A fresh schema for one test run, so suites running in parallel never see each other's
 * tables. The returned URL puts it first on the search_path of every pooled connection.
 */
export async function createIsolatedSchema(
  baseUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `svc_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
