import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Suites start real servers (sandbox, service, PostgreSQL clients); forks keep native
    // modules such as better-sqlite3 isolated per file.
    pool: "forks",
    // Finds the local PostgreSQL when TEST_DATABASE_URL is unset (test/support/global-setup.ts).
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
  },
});
