import pg from "pg";

/** Where a developer's PostgreSQL usually is: the README's and CI's default. */
export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * The PostgreSQL the suites use: TEST_DATABASE_URL when set, else the default address when a
 * server answers there (a short connect timeout: an absent server costs a second, not a hang).
 * Returns the reason instead when there is none, for the one line each skipping suite prints.
 */
export async function discoverTestDatabase(
  env: Record<string, string | undefined> = process.env,
  timeoutMs = 1_000,
): Promise<{ url: string } | { skipped: string }> {
  const configured = env.TEST_DATABASE_URL?.trim();
  if (configured) return { url: configured };
  const client = new pg.Client({
    connectionString: DEFAULT_TEST_DATABASE_URL,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // Without a listener pg emits 'error' on a dropped connection and that would crash the run.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return { url: DEFAULT_TEST_DATABASE_URL };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      skipped: `no PostgreSQL at ${DEFAULT_TEST_DATABASE_URL} (${why}) and TEST_DATABASE_URL is not set`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
