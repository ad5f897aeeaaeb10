import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SandboxCredentials } from "../credentials.js";
import type {
  BillingKeyRecord,
  IdempotencyRecord,
  IdentityVerificationRecord,
  PaymentRecord,
  ScheduleRecord,
} from "./records.js";

export interface Snapshot {
  version: 1;
  credentials: SandboxCredentials;
  payments: PaymentRecord[];
  billingKeys: BillingKeyRecord[];
  schedules: ScheduleRecord[];
  idempotency: [string, IdempotencyRecord][];
  /** Absent in files written before identity verifications were emulated. */
  identityVerifications?: IdentityVerificationRecord[];
}

/** Where a sandbox keeps its state between restarts. */
export interface SnapshotStorage {
  load(): Snapshot | undefined;
  save(snapshot: Snapshot): void;
  close(): void;
}

export async function openSnapshotStorage(path: string): Promise<SnapshotStorage> {
  mkdirSync(dirname(path), { recursive: true });
  if (path.endsWith(".json")) return jsonFileStorage(path);
  // Loaded on demand: a sandbox without a SQLite file never needs the native module.
  const { default: Database } = await import("better-sqlite3");
  return sqliteStorage(new Database(path));
}

function parseSnapshot(text: string, path: string): Snapshot {
  const parsed = JSON.parse(text) as Partial<Snapshot>;
  if (parsed.version !== 1 || !parsed.credentials) {
    throw new Error(`${path} is not a PortOne sandbox state file; delete it or pick another path`);
  }
  return parsed as Snapshot;
}

function jsonFileStorage(path: string): SnapshotStorage {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      return parseSnapshot(text, path);
    },
    save(snapshot) {
      // Write then rename, so a crash mid-write never leaves half a file behind.
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(snapshot));
      renameSync(temporary, path);
    },
    close() {},
  };
}

function sqliteStorage(db: import("better-sqlite3").Database): SnapshotStorage {
  const path = db.name;
  db.pragma("journal_mode = WAL");
  db.exec(
    "CREATE TABLE IF NOT EXISTS sandbox_state (id INTEGER PRIMARY KEY CHECK (id = 1), snapshot TEXT NOT NULL)",
  );
  const select = db.prepare<[], { snapshot: string }>(
    "SELECT snapshot FROM sandbox_state WHERE id = 1",
  );
  const upsert = db.prepare<[string]>(
    "INSERT INTO sandbox_state (id, snapshot) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot",
  );
  return {
    load() {
      const row = select.get();
      return row ? parseSnapshot(row.snapshot, path) : undefined;
    },
    save(snapshot) {
      upsert.run(JSON.stringify(snapshot));
    },
    close() {
      db.close();
    },
  };
}
