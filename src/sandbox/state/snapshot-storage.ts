import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import type { SandboxCredentials } from "../credentials.js";
import type { PlatformSnapshot } from "../platform/platform-state.js";
import type {
  BillingIssueRecord,
  BillingKeyRecord,
  CashReceiptRecord,
  ChannelRecord,
  CheckoutProfileRecord,
  IdempotencyRecord,
  IdentityVerificationRecord,
  PaymentEventRecord,
  PaymentSessionRecord,
  PromotionRecord,
  SandboxPaymentRecord,
  ScheduleRecord,
} from "./records.js";

export interface Snapshot {
  version: 1;
  credentials: SandboxCredentials;
  payments: SandboxPaymentRecord[];
  billingKeys: BillingKeyRecord[];
  schedules: ScheduleRecord[];
  idempotency: [string, IdempotencyRecord][];
  /** Absent in files written before identity verifications were emulated. */
  identityVerifications?: IdentityVerificationRecord[];
  /** Absent in files written before the platform API was emulated. */
  platform?: PlatformSnapshot;
  /** Absent in files written before the sandbox had several channels. */
  channels?: ChannelRecord[];
  /** These are absent in files written before the sandbox emulated them. */
  cashReceipts?: CashReceiptRecord[];
  paymentEvents?: PaymentEventRecord[];
  promotions?: PromotionRecord[];
  checkoutProfiles?: CheckoutProfileRecord[];
  paymentSessions?: PaymentSessionRecord[];
  billingIssues?: BillingIssueRecord[];
}

/** Where a sandbox keeps its state between restarts. */
export interface SnapshotStorage {
  load(): Snapshot | undefined;
  save(snapshot: Snapshot): void;
  close(): void;
}

/**
 * The state holds the sandbox's API and webhook secrets, so only its owner may read it: files
 * 0600, and directories the sandbox creates 0700. (Existing directories are the operator's;
 * the sandbox does not change them.)
 */
export const STATE_FILE_MODE = 0o600;
export const STATE_DIRECTORY_MODE = 0o700;

export async function openSnapshotStorage(path: string): Promise<SnapshotStorage> {
  mkdirSync(dirname(path), { recursive: true, mode: STATE_DIRECTORY_MODE });
  if (path.endsWith(".json")) {
    // A file an earlier version wrote 0644 is closed to others before anything else happens.
    if (existsSync(path)) chmodSync(path, STATE_FILE_MODE);
    return jsonFileStorage(path);
  }
  // SQLite gives its -wal and -shm files the mode of the database file: create that one 0600
  // first, and tighten any that an earlier version left readable.
  closeSync(openSync(path, "a", STATE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, STATE_FILE_MODE);
  }
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
      writeFileSync(temporary, JSON.stringify(snapshot), { mode: STATE_FILE_MODE });
      // `mode` applies only when the file is created; a leftover of a crashed run keeps its own.
      chmodSync(temporary, STATE_FILE_MODE);
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
