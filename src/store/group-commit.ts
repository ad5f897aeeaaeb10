import {
  isStoreOutage,
  isUnstorableValue,
  StoreUnavailableError,
  UnstorableValueError,
} from "./store-errors.js";

/** How one dialect writes a group of items, and one item on its own. */
export interface GroupCommitWriter<Item, Result> {
  /** Writes the whole batch in one transaction; one result per item, in order. */
  writeBatch(batch: readonly Item[]): Promise<readonly Result[]> | readonly Result[];
  /** Writes one item in its own transaction (after its batch failed). */
  writeOne(item: Item): Promise<Result> | Result;
  /**
   * Writes nobody is waiting on to answer a request: while only such writes are queued, and no
   * batch is in flight, they wait up to `holdMs` for one that is not, to share its commit
   * (also when they were queued during the previous commit).
   */
  readonly canWait?: (item: Item) => boolean;
  readonly holdMs?: number;
  /** Held writes go without waiting out the hold once this many are queued (unbounded if absent). */
  readonly maxHeld?: number;
}

interface Pending<Item, Result> {
  readonly item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** Bounds one statement's parameters; a longer queue goes out in several batches. */
const MAX_BATCH = 500;

/**
 * Group commit: the writes that arrive while the previous batch is being committed (they go
 * the moment it returns) or within one turn of the event loop, when none is, go to the
 * database as one transaction: one WAL
 * flush and one round trip instead of one per item. With one batch in flight at a time the
 * batch grows with the load instead of splitting it into many small concurrent commits, which
 * each cost the client and the server CPU. Each caller resolves only once the commit that holds
 * its item is done. One item the database refuses must not fail the others: the batch is then
 * written item by item, and only the bad one is rejected (UnstorableValueError when retrying
 * can never help). An outage fails the whole batch, and every write queued behind it, at once
 * (StoreUnavailableError) instead of waiting out the timeout once per item or per batch.
 */
export function createGroupCommit<Item, Result>(
  writer: GroupCommitWriter<Item, Result>,
): (item: Item) => Promise<Result> {
  let queued: Pending<Item, Result>[] = [];
  let writing = false;
  let scheduled = false;
  let held: NodeJS.Timeout | undefined;

  const writeSeparately = async (batch: readonly Pending<Item, Result>[]) => {
    for (const pending of batch) {
      try {
        pending.resolve(await writer.writeOne(pending.item));
      } catch (error) {
        pending.reject(classify(error));
      }
    }
  };

  /**
   * Writes one batch; resolves once the next batch may start, with what acknowledges this
   * one's callers (nothing when they were already rejected). During an outage the writes
   * queued behind it would only wait out the same timeout, one batch after another, so they
   * fail with it. A batch that failed for one bad item is written item by item without holding
   * up the batches queued behind it.
   */
  const write = async (batch: readonly Pending<Item, Result>[]): Promise<(() => void) | null> => {
    try {
      const results = await writer.writeBatch(batch.map((pending) => pending.item));
      return () => {
        batch.forEach((pending, index) => {
          pending.resolve(results[index] as Result);
        });
      };
    } catch (error) {
      if (batch.length === 1 || isStoreOutage(error)) {
        const failure = classify(error);
        const failed = isStoreOutage(error) ? [...batch, ...queued.splice(0)] : batch;
        for (const pending of failed) pending.reject(failure);
        return null;
      }
      void writeSeparately(batch);
      return null;
    }
  };

  /** Only writes that may wait are queued, not too many of them, and the writer holds such writes. */
  const onlyHoldable = () => {
    const { canWait, holdMs = 0, maxHeld = Number.POSITIVE_INFINITY } = writer;
    return (
      holdMs > 0 &&
      canWait !== undefined &&
      queued.length < maxHeld &&
      queued.every((pending) => canWait(pending.item))
    );
  };

  const schedule = () => {
    if (scheduled || writing || queued.length === 0) return;
    if (onlyHoldable()) {
      held ??= setTimeout(flush, writer.holdMs);
      return;
    }
    clearTimeout(held);
    held = undefined;
    scheduled = true;
    setImmediate(flush);
  };

  const flush = async () => {
    clearTimeout(held);
    held = undefined;
    scheduled = false;
    const batch = queued.slice(0, MAX_BATCH);
    queued = queued.slice(MAX_BATCH);
    writing = true;
    let acknowledge: (() => void) | null = null;
    try {
      acknowledge = await write(batch);
    } finally {
      writing = false;
    }
    // Writes that may wait, queued during this commit, are held as well: the callers it
    // answers are about to send the writes they could share a commit with. With few senders
    // per process (replicas sharing the load) every sender is answered by the same commit, so
    // the held writes would otherwise take a commit of their own before the senders' next.
    if (queued.length === 0 || !acknowledge || onlyHoldable()) {
      acknowledge?.();
      schedule();
      return;
    }
    // The writes queued during this commit already waited out a whole one: they go at once,
    // not a turn of the event loop later, and before this batch's callers are answered (on a
    // later tick than the driver's send, which a client/server driver starts on the next
    // tick), so that sending the next batch does not wait for their replies to be written.
    void flush();
    process.nextTick(acknowledge);
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      queued.push({ item, resolve, reject });
      schedule();
    });
}

function classify(error: unknown): unknown {
  if (isStoreOutage(error)) return new StoreUnavailableError({ cause: error });
  if (isUnstorableValue(error)) return new UnstorableValueError({ cause: error });
  return error;
}
