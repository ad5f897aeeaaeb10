import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type FileDestination,
  HOLD_INFO_LINES_MS,
  InfoLinesBatched,
  isFileDestination,
} from "../../src/ops/log-batching.js";
import { createLogger, isoTimeAt } from "../../src/ops/logger.js";

/** A file-like destination that records each write it is handed. */
function recordingFile() {
  const writes: string[] = [];
  let flushedSync = 0;
  const file: FileDestination = {
    write: (chunk: string) => void writes.push(chunk),
    flushSync: () => void flushedSync++,
  };
  return { file, writes, flushes: () => flushedSync };
}

const messages = (chunk: string | undefined) =>
  (chunk ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { msg: string }).msg);

const afterTheHold = () => new Promise((done) => setTimeout(done, HOLD_INFO_LINES_MS * 3));

describe("info log lines to a file are written in batches", () => {
  it("holds info lines and writes them together, in order, shortly after", async () => {
    const { file, writes } = recordingFile();
    const logger = createLogger("info", file);
    logger.info("first");
    logger.info("second");
    logger.debug("not at this level");
    expect(writes).toEqual([]);
    await afterTheHold();
    expect(writes).toHaveLength(1);
    expect(messages(writes[0])).toEqual(["first", "second"]);
  });

  it("writes a warning at once, after the info lines held before it", () => {
    const { file, writes } = recordingFile();
    const logger = createLogger("info", file);
    logger.info("before");
    logger.warn("careful");
    logger.error("broken");
    expect(writes.flatMap(messages)).toEqual(["before", "careful", "broken"]);
  });

  it("writes once 16 KiB are held, without waiting", () => {
    const { file, writes } = recordingFile();
    const logger = createLogger("info", file);
    const big = "x".repeat(4_000);
    for (let line = 0; line < 5; line++) logger.info({ big }, `line ${line}`);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.flatMap(messages)).toEqual(["line 0", "line 1", "line 2", "line 3", "line 4"]);
  });

  it("hands held lines over when flushed", () => {
    const { file, writes, flushes } = recordingFile();
    const batched = new InfoLinesBatched(file);
    batched.write('{"msg":"held"}\n');
    batched.flushSync();
    expect(writes.flatMap(messages)).toEqual(["held"]);
    expect(flushes()).toBe(1);
  });

  it("gives other streams (pretty output, tests' collectors) each line as it is logged", () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
    logger.info("one");
    logger.info("two");
    expect(lines.map((line) => messages(line))).toEqual([["one"], ["two"]]);
    expect(isFileDestination({ write: () => undefined })).toBe(false);
  });

  it("writes what it holds when the process exits right after logging", () => {
    // A process of its own, logging to standard output through pino's file stream.
    const script = [
      `import { createLogger } from ${JSON.stringify(resolve(import.meta.dirname, "../../src/ops/logger.ts"))};`,
      "const logger = createLogger('info');",
      "logger.info('last words');",
      "process.exit(0);",
    ].join("\n");
    const tsx = resolve(import.meta.dirname, "../../node_modules/tsx/dist/cli.mjs");
    const output = execFileSync(process.execPath, [tsx, "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(messages(output)).toEqual(["last words"]);
  });
});

describe("log line timestamps", () => {
  it("are what toISOString writes, across seconds, days and years", () => {
    const starts = [0, 1_764_754_785_000, Date.UTC(2026, 11, 31, 23, 59, 59, 998), Date.now()];
    for (const start of starts) {
      for (let ms = start; ms < start + 2_500; ms += 7) {
        expect(isoTimeAt(ms)).toBe(new Date(ms).toISOString());
      }
      // Back in time too (a clock set back): the cached second must not leak.
      expect(isoTimeAt(start - 1)).toBe(new Date(start - 1).toISOString());
    }
  });

  it("stand in every line as pino's isoTime writes them", () => {
    const lines: string[] = [];
    const before = Date.now();
    createLogger("info", { write: (line: string) => void lines.push(line) }).info("now");
    const time = (JSON.parse(lines[0] ?? "{}") as { time: string }).time;
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
  });
});
