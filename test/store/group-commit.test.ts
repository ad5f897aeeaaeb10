import { describe, expect, it, vi } from "vitest";
import { createGroupCommit, type GroupCommitWriter } from "../../src/store/group-commit.js";
import { StoreUnavailableError, UnstorableValueError } from "../../src/store/store-errors.js";

/** A writer whose writes each wait until `settle` releases them, recording each batch. */
function gatedWriter(options: { outage?: boolean; badItem?: number } = {}) {
  const batches: number[][] = [];
  const written: number[] = [];
  const waiting: (() => void)[] = [];
  const gate = () => new Promise<void>((resolve) => waiting.push(resolve));
  const writer: GroupCommitWriter<number, number> = {
    async writeBatch(batch) {
      batches.push([...batch]);
      await gate();
      if (options.outage)
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      if (batch.includes(options.badItem ?? -1))
        throw Object.assign(new Error("invalid byte sequence"), { code: "22021" });
      written.push(...batch);
      return batch.map((item) => item * 10);
    },
    async writeOne(item) {
      // Item by item is slow: each waits for the test to release it.
      await gate();
      if (item === options.badItem)
        throw Object.assign(new Error("invalid byte sequence"), { code: "22021" });
      written.push(item);
      return item * 10;
    },
  };
  const settle = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    for (const release of waiting.splice(0)) release();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { writer, batches, written, settle };
}

describe("group commit", () => {
  it("sends at most 500 items in one batch and the rest in the next", async () => {
    const { writer, batches, settle } = gatedWriter();
    const commit = createGroupCommit(writer);
    const results = Promise.all(Array.from({ length: 1_200 }, (_, i) => commit(i)));
    for (let round = 0; round < 3; round++) await settle();
    expect(await results).toEqual(Array.from({ length: 1_200 }, (_, i) => i * 10));
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 200]);
  });

  it("sends the writes queued during a commit the moment it returns, before answering its callers", async () => {
    const { writer, batches, settle } = gatedWriter();
    const commit = createGroupCommit(writer);
    let batchesWhenFirstAnswered = 0;
    const first = commit(1).then((result) => {
      batchesWhenFirstAnswered = batches.length;
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const queued = [commit(2), commit(3)];
    expect(batches).toEqual([[1]]);
    await settle();
    expect(await first).toBe(10);
    // The caller of 1 ran after [2, 3] was already on its way, without a turn in between.
    expect(batchesWhenFirstAnswered).toBe(2);
    expect(batches).toEqual([[1], [2, 3]]);
    await settle();
    expect(await Promise.all(queued)).toEqual([20, 30]);
  });

  it("in an outage fails every write queued behind the failing batch with it, in one timeout", async () => {
    const { writer, batches, settle } = gatedWriter({ outage: true });
    const commit = createGroupCommit(writer);
    const first = commit(1).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = Array.from({ length: 700 }, (_, i) => commit(100 + i).catch((e: unknown) => e));
    await settle();
    const failures = await Promise.all([first, ...queued]);
    expect(failures.every((error) => error instanceof StoreUnavailableError)).toBe(true);
    expect(batches).toHaveLength(1);
  });

  it("writes the batch behind one bad item while the bad batch goes item by item", async () => {
    const { writer, batches, written, settle } = gatedWriter({ badItem: 2 });
    const commit = createGroupCommit(writer);
    const bad = [commit(1), commit(2).catch((error: unknown) => error), commit(3)];
    await new Promise((resolve) => setImmediate(resolve));
    const later = commit(4);
    await settle(); // the first batch fails for item 2; item 1 starts on its own
    await settle(); // the batch [4] is written although 1, 2, 3 are still going one by one
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(await later).toBe(40);
    expect(written).toEqual([1, 4]); // 2 and 3 are still waiting their turn
    for (let step = 0; step < 3; step++) await settle();
    const [one, two, three] = await Promise.all(bad);
    expect([one, three]).toEqual([10, 30]);
    expect(two).toBeInstanceOf(UnstorableValueError);
  });

  it("holds writes that can wait until one that cannot arrives, and sends them together", async () => {
    const { writer, batches, settle } = gatedWriter();
    const commit = createGroupCommit({ ...writer, canWait: (item) => item >= 100, holdMs: 60_000 });
    const results = [commit(100), commit(200)];
    await settle();
    expect(batches).toEqual([]);
    results.push(commit(3));
    await settle();
    expect(batches).toEqual([[100, 200, 3]]);
    expect(await Promise.all(results)).toEqual([1000, 2000, 30]);
  });

  it("holds writes that can wait queued during a commit, for one that cannot after it", async () => {
    const { writer, batches, settle } = gatedWriter();
    const commit = createGroupCommit({ ...writer, canWait: (item) => item >= 100, holdMs: 60_000 });
    const first = commit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const held = commit(100);
    await settle();
    expect(await first).toBe(10);
    // The commit of 1 returned with only 100 queued: it waits for a write that cannot.
    expect(batches).toEqual([[1]]);
    const next = commit(2);
    await settle();
    expect(batches).toEqual([[1], [100, 2]]);
    expect(await Promise.all([held, next])).toEqual([1000, 20]);
  });

  it("sends held writes without waiting out the hold once maxHeld are queued", async () => {
    const { writer, batches, settle } = gatedWriter();
    const commit = createGroupCommit({
      ...writer,
      canWait: () => true,
      holdMs: 60_000,
      maxHeld: 3,
    });
    const results = [commit(1), commit(2)];
    await settle();
    expect(batches).toEqual([]);
    results.push(commit(3));
    await settle();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
  });

  it("sends held writes on their own once the hold is over", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { writer, batches, settle } = gatedWriter();
      const commit = createGroupCommit({ ...writer, canWait: () => true, holdMs: 5 });
      const result = commit(7);
      await settle();
      expect(batches).toEqual([]);
      vi.advanceTimersByTime(5);
      await settle();
      expect(batches).toEqual([[7]]);
      expect(await result).toBe(70);
    } finally {
      vi.useRealTimers();
    }
  });
});
