import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, SQLITE_FILE_NAME } from "../../src/store/database.js";
import { runWebhooksCommand } from "../../src/webhooks/cli-command.js";
import { webhookMigrations } from "../../src/webhooks/store/migrations.js";

/**
 * `portone-bff webhooks ...` in a folder where no service ran: it used to create an empty
 * database there and report "No dead letters." about nothing. It refuses, naming where it looked.
 */
describe("portone-bff webhooks without a service database", () => {
  const dir = mkdtempSync(join(tmpdir(), "bff-webhooks-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function captured() {
    const lines: string[] = [];
    return {
      lines,
      io: { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) },
    };
  }

  it.each(["dead-letters", "replay"])(
    "%s refuses (exit 1), names the file, creates nothing",
    async (action) => {
      const dataDir = join(dir, `absent-${action}`);
      const { lines, io } = captured();
      expect(await runWebhooksCommand([action], { dataDir }, io)).toBe(1);
      expect(lines.join("\n")).toContain(
        `No service database at ${resolve(dataDir, SQLITE_FILE_NAME)}: nothing to inspect.`,
      );
      expect(existsSync(dataDir)).toBe(false);
    },
  );

  it("with the service's database there it answers", async () => {
    const dataDir = join(dir, "present");
    const db = await openDatabase({ dataDir });
    await migrate(db, webhookMigrations);
    await db.close();
    const { lines, io } = captured();
    expect(await runWebhooksCommand(["dead-letters"], { dataDir }, io)).toBe(0);
    expect(lines.join("\n")).toMatch(/No dead letters/);
    expect(readdirSync(dataDir)).toContain(SQLITE_FILE_NAME);
  });
});
