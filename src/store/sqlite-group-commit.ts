import type BetterSqlite3 from "better-sqlite3";
import { createGroupCommit, type GroupCommitWriter } from "./group-commit.js";

/**
 * Group commit on SQLite: `writeOne` runs for every item, inside one IMMEDIATE transaction per
 * batch (one WAL commit for all of it), or inside a transaction of its own when the batch
 * failed and its items are written separately. `writeOne` may run several statements: they
 * commit together or not at all.
 */
export function createSqliteGroupCommit<Item, Result>(
  sqlite: BetterSqlite3.Database,
  writeOne: (item: Item) => Result,
  hold: Pick<GroupCommitWriter<Item, Result>, "canWait" | "holdMs" | "maxHeld"> = {},
): (item: Item) => Promise<Result> {
  const batchTx = sqlite.transaction((batch: readonly Item[]) => batch.map(writeOne));
  const oneTx = sqlite.transaction(writeOne);
  return createGroupCommit<Item, Result>({
    writeBatch: (batch) => batchTx.immediate(batch),
    writeOne: (item) => oneTx.immediate(item),
    ...hold,
  });
}
