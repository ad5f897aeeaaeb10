import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";

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
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openSqlite(
    join(options.dataDir, options.sqliteFileName ?? "portone-bff.sqlite"),
    options.dataDir,
  );
}

function openSqlite(path: string, dataDir: string): SqliteDatabase {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes
  // (the case that matters for an acknowledged webhook) at a fraction of FULL's cost.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
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

async function openPostgres(connectionString: string): Promise<PostgresDatabase> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process instead of letting the next query reconnect.
  pool.on("error", () => {});
  const client = await pool.connect();
  client.release();
  let closed = false;
  return {
    kind: "postgres",
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
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
  const client = await db.pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
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
    client.release();
  }
}
