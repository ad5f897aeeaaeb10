import { discoverTestDatabase } from "./local-services.js";

/**
 * Runs once before any suite: finds the local PostgreSQL by itself so `npm test` on a
 * developer's machine runs the PostgreSQL cases without TEST_DATABASE_URL. The test workers
 * are forked after this and inherit the variable. NATS suites probe their default themselves.
 */
export default async function setup(): Promise<void> {
  const found = await discoverTestDatabase();
  if ("url" in found) {
    if (!process.env.TEST_DATABASE_URL) {
      process.env.TEST_DATABASE_URL = found.url;
      console.info(`PostgreSQL suites use ${found.url} (found at the default address).`);
    }
    return;
  }
  process.env.TEST_DATABASE_SKIPPED = found.skipped;
  console.warn(`PostgreSQL suites skip: ${found.skipped}.`);
}
