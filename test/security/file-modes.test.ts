import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, openDatabase } from "../../src/store/database.js";
import {
  createPaymentRecordStore,
  paymentRecordMigrations,
} from "../../src/store/payment-records/index.js";

const mode = (path: string) => statSync(path).mode & 0o777;

/**
 * The SQLite database holds payment records and the webhook inbox: another local user must not
 * be able to read it. The attack: the service starts with a permissive umask (022 or even 000,
 * as in many containers) and the finding's 0644 files appear.
 */
describe("SQLite files and the data directory are the owner's only", () => {
  const roots: string[] = [];
  const previousUmask = process.umask();
  afterEach(() => {
    process.umask(previousUmask);
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function scratch(): string {
    const root = mkdtempSync(join(tmpdir(), "bff-modes-"));
    roots.push(root);
    return root;
  }

  async function writeSomething(dataDir: string) {
    const db = await openDatabase({ dataDir });
    await migrate(db, paymentRecordMigrations);
    await createPaymentRecordStore(db).insertPaymentRecord({
      paymentId: "pay-modes",
      orderId: "order-modes",
      customerId: "c",
      totalAmount: 1,
      currency: "KRW",
    });
    return db;
  }

  it("creates the directory 0700 and the database, WAL and shared-memory files 0600 under umask 000", async () => {
    process.umask(0o000);
    const root = scratch();
    const dataDir = join(root, "nested", "data");
    const db = await writeSomething(dataDir);
    try {
      const file = join(dataDir, "portone-bff.sqlite");
      // Every directory it creates, not only the last (mkdir's own mode, no window at 0777).
      expect(mode(join(root, "nested"))).toBe(0o700);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      for (const companion of [`${file}-wal`, `${file}-shm`]) {
        expect(existsSync(companion)).toBe(true);
        expect(mode(companion)).toBe(0o600);
      }
    } finally {
      await db.close();
    }
  });

  it("tightens a directory and a database file that already exist with looser modes", async () => {
    const dataDir = join(scratch(), "data");
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, "portone-bff.sqlite");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    const db = await writeSomething(dataDir);
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
    } finally {
      await db.close();
    }
  });

  it("tightens WAL and shared-memory files left readable next to the database", async () => {
    const dataDir = join(scratch(), "data");
    const file = join(dataDir, "portone-bff.sqlite");
    // A first connection stays open, so its -wal and -shm files stay on disk (as after a crash).
    const first = await writeSomething(dataDir);
    try {
      for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
      const second = await openDatabase({ dataDir });
      try {
        for (const path of [file, `${file}-wal`, `${file}-shm`]) {
          expect(mode(path), path).toBe(0o600);
        }
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
});
