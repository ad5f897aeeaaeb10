import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "../../../src/store/database.js";
import type { RunningSandbox, RunningService, ShopBackend } from "../../service/support/harness.js";
import { createIsolatedSchema, TEST_DATABASE_URL } from "../../service/support/postgres.js";
import { startServiceStack } from "../../support/service-stack.js";

/** The stores every security suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const STORES = TEST_DATABASE_URL ? (["sqlite", "postgres"] as const) : (["sqlite"] as const);
export type StoreKind = (typeof STORES)[number];

/**
 * The production-like set-up an attacker faces: JWT callers, the HTTP order source (a shop
 * backend over a socket), the sandbox as PortOne, and a real database the test can read.
 */
export interface SecurityStack {
  readonly sandbox: RunningSandbox;
  readonly shop: ShopBackend;
  readonly service: RunningService;
  readonly database: Database;
  /** The stored guest token hash of a payment, read straight from the database. */
  guestTokenHashOf(paymentId: string): Promise<string | null>;
  close(): Promise<void>;
}

export async function startSecurityStack(
  store: StoreKind,
  env: Record<string, string> = {},
): Promise<SecurityStack> {
  const schema =
    store === "postgres" ? await createIsolatedSchema(TEST_DATABASE_URL as string) : null;
  const dataDir = mkdtempSync(join(tmpdir(), "bff-security-"));
  const database = await openDatabase(schema ? { databaseUrl: schema.url, dataDir } : { dataDir });
  const stack = await startServiceStack({
    env: { RATE_LIMIT_MAX: "1000000", ...env },
    deps: { database },
  }).catch(async (error: unknown) => {
    await database.close();
    await schema?.drop();
    throw error;
  });
  const { sandbox, shop, running: service } = stack;
  return {
    sandbox,
    shop,
    service,
    database,
    async guestTokenHashOf(paymentId) {
      const sql = "SELECT guest_token_hash FROM payment_records WHERE payment_id = ";
      if (database.kind === "sqlite") {
        const row = database.sqlite.prepare(`${sql}?`).get(paymentId) as
          | { guest_token_hash: string | null }
          | undefined;
        return row?.guest_token_hash ?? null;
      }
      const { rows } = await database.pool.query(`${sql}$1`, [paymentId]);
      return (rows[0]?.guest_token_hash as string | null | undefined) ?? null;
    },
    async close() {
      await stack.close();
      await database.close();
      await schema?.drop();
    },
  };
}

export interface RawAnswer {
  readonly status: number;
  readonly text: string;
}

/** One tRPC call as plain HTTP, so a test sees exactly the bytes an attacker would. */
export async function rawTrpc(
  serviceUrl: string,
  procedure: string,
  input: unknown,
  options: { token?: string; method?: "GET" | "POST" } = {},
): Promise<RawAnswer> {
  const method = options.method ?? (procedure === "payment.get" ? "GET" : "POST");
  const headers: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  const url =
    method === "GET"
      ? `${serviceUrl}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`
      : `${serviceUrl}/trpc/${procedure}`;
  const response = await fetch(url, {
    method,
    headers: method === "POST" ? { ...headers, "content-type": "application/json" } : headers,
    ...(method === "POST" ? { body: JSON.stringify(input) } : {}),
  });
  return { status: response.status, text: await response.text() };
}
