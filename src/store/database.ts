import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { translateStoreError } from "./store-errors.js";

/**
 * One database per process, shared by every store (payment records, webhook inbox,
 * deliveries) so that they commit together and a deployment has one thing to back up.
 * SQLite is the embedded default; PostgreSQL is for several replicas.
 */
export type Database = SqliteDatabase | PostgresDatabase;

export interface SqliteDatabase {
  readonly kind: "sqlite";
  readonly sqlite: BetterSqlite3.Database;
  readonly path: string;
  close(): Promise<void>;
}

export interface PostgresDatabase {
  readonly kind: "postgres";
  readonly pool: pg.Pool;
  /**
   * The pool's connection settings (timeouts, keepalive), for a dedicated connection that
   * must not come from the pool, such as one held open for LISTEN.
   */
  readonly clientConfig: pg.ClientConfig;
  close(): Promise<void>;
}

/** A schema change, written once per dialect. Ids are applied in array order, once. */
export interface Migration {
  readonly id: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export interface DatabaseOptions {
  /** `postgres://...`: use PostgreSQL. Absent: a SQLite file under `dataDir`. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
  /** SQLite file name inside `dataDir`. */
  readonly sqliteFileName?: string;
  /** Bounds on every wait for the database; each one defaults to `defaultDatabaseTimeouts`. */
  readonly timeouts?: Partial<DatabaseTimeouts>;
}

/**
 * How long the service waits for its database before it answers 503 instead. Without them a
 * partitioned PostgreSQL hangs every request for as long as the partition lasts.
 */
export interface DatabaseTimeouts {
  /** Opening a PostgreSQL connection, or waiting for a free one in the pool. */
  readonly connectMs: number;
  /**
   * One PostgreSQL statement: the server cancels it (`statement_timeout`) and the client gives
   * up waiting for the answer (`query_timeout`, a little later, for a server that is cut off).
   */
  readonly queryMs: number;
  /** An idle pooled connection is closed after this long. */
  readonly idleMs: number;
  /** TCP keepalive probes start after this much silence, so a dead peer is noticed. */
  readonly keepAliveMs: number;
  /** SQLite waits this long for another writer's lock before it gives up. */
  readonly sqliteBusyMs: number;
}

export const defaultDatabaseTimeouts: DatabaseTimeouts = {
  connectMs: 5_000,
  queryMs: 10_000,
  idleMs: 30_000,
  keepAliveMs: 10_000,
  sqliteBusyMs: 5_000,
};

/** The data directory and the SQLite files hold payment records: owner only. */
const DATA_DIR_MODE = 0o700;
const DATA_FILE_MODE = 0o600;

/** The SQLite file under DATA_DIR when no other name is given; the CLI looks for the same one. */
export const SQLITE_FILE_NAME = "portone-bff.sqlite";

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const timeouts = { ...defaultDatabaseTimeouts, ...options.timeouts };
  if (options.databaseUrl) return openPostgres(options.databaseUrl, timeouts);
  return openSqlite(
    join(options.dataDir, options.sqliteFileName ?? SQLITE_FILE_NAME),
    options.dataDir,
    timeouts,
  );
}

/**
 * Creates the data directory 0700 and the database file 0600 before SQLite opens it, so no
 * other local user can read payment records; SQLite gives its -wal and -shm files the mode of
 * the database file. Existing ones with looser modes are tightened.
 */
function prepareDataFiles(path: string, dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dataDir, DATA_DIR_MODE);
  closeSync(openSync(path, "a", DATA_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, DATA_FILE_MODE);
  }
}

function openSqlite(path: string, dataDir: string, timeouts: DatabaseTimeouts): SqliteDatabase {
  prepareDataFiles(path, dataDir);
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes
  // (the case that matters for an acknowledged webhook) at a fraction of FULL's cost.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma(`busy_timeout = ${Math.trunc(timeouts.sqliteBusyMs)}`);
  sqlite.pragma("foreign_keys = ON");
  return {
    kind: "sqlite",
    sqlite,
    path,
    async close() {
      if (sqlite.open) sqlite.close();
    },
  };
}

async function openPostgres(
  connectionString: string,
  timeouts: DatabaseTimeouts,
): Promise<PostgresDatabase> {
  const clientConfig: pg.ClientConfig = {
    connectionString,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.queryMs,
    // The client-side bound fires a moment after the server's, so a reachable server reports
    // its own cancel; an unreachable one is given up on shortly after.
    query_timeout: timeouts.queryMs + 500,
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveMs,
  };
  const pool = new pg.Pool({ ...clientConfig, max: 10, idleTimeoutMillis: timeouts.idleMs });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process instead of letting the next query reconnect.
  pool.on("error", () => {});
  try {
    await withPostgresClient(pool, async () => {});
  } catch (error) {
    await pool.end().catch(() => {});
    translateStoreError(error);
  }
  let closed = false;
  return {
    kind: "postgres",
    pool,
    clientConfig,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Runs `work` on one pooled connection (a transaction, a session lock). While the client is
 * checked out the pool no longer listens for its errors, and node-postgres emits an 'error'
 * event when the connection drops between two queries: unheard, that would crash the
 * process. The error is heard here; the next query fails and the connection is discarded on
 * release instead of being handed to the next caller.
 */
export async function withPostgresClient<Result>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<Result>,
): Promise<Result> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure = error;
  };
  client.on("error", onError);
  try {
    return await work(client);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener("error", onError);
    client.release(failure);
  }
}

const MIGRATIONS_TABLE = "schema_migrations";
/** Arbitrary constant: serialises migrations when several replicas start at once. */
const MIGRATION_LOCK_KEY = 726_746_001;

/** Applies the migrations not yet recorded. Safe to call from several processes at once. */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<void> {
  if (db.kind === "sqlite") {
    const { sqlite } = db;
    sqlite.exec(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`,
    );
    const applied = new Set(
      sqlite
        .prepare(`SELECT id FROM ${MIGRATIONS_TABLE}`)
        .all()
        .map((row) => (row as { id: string }).id),
    );
    const record = sqlite.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (id, applied_at) VALUES (?, ?)`);
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      sqlite
        .transaction(() => {
          sqlite.exec(migration.sqlite);
          record.run(migration.id, new Date().toISOString());
        })
        .immediate();
    }
    return;
  }
  await withPostgresClient(db.pool, async (client) => {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${MIGRATIONS_TABLE}`);
      const applied = new Set(rows.map((row) => row.id));
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migration.postgres);
          await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (id) VALUES ($1)`, [migration.id]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  });
}
