import { writeSync } from "node:fs";
import type { DestinationStream } from "pino";

/** A stream that writes to a file descriptor, as `pino.destination()` makes one. */
export interface FileDestination extends DestinationStream {
  flushSync(): void;
  /** The file descriptor it writes to (sonic-boom's), for writes that must finish before exit. */
  readonly fd?: number;
}

/** Set by pino before every write to a stream that asks for it (pino's "metadata" streams). */
const PINO_METADATA = Symbol.for("pino.metadata");
const WARN = 40;
/** How long an info line may wait for others to share its write, and how much may wait. */
export const HOLD_INFO_LINES_MS = 20;
const HOLD_AT_MOST_CHARS = 16_384;

/** The streams that hold lines right now, so that the process writes them before it exits. */
const holding = new Set<InfoLinesBatched>();
let exitHookInstalled = false;

/**
 * Writes info (and lower) lines to the file in batches, at most `HOLD_INFO_LINES_MS` after the
 * first of them or once 16 KiB are held, instead of one write per line: under load a request's
 * line otherwise costs a write system call and a thread-pool round trip of its own (measured
 * ~40 µs of CPU per line, against ~7 µs to make the line). Warn and above are written at once,
 * after the lines held (so the order stays), and so is anything held when the process exits:
 * what a hard kill (SIGKILL, out of memory) can take is the info lines of those last 20 ms.
 */
export class InfoLinesBatched implements DestinationStream {
  readonly [PINO_METADATA] = true;
  /** pino sets it before calling `write` (see PINO_METADATA). */
  lastLevel = 0;
  #held = "";
  #timer: NodeJS.Timeout | undefined;
  readonly #destination: FileDestination;

  constructor(destination: FileDestination) {
    this.#destination = destination;
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", writeHeldLinesNow);
    }
  }

  write(line: string): void {
    if (this.lastLevel >= WARN) {
      this.writeHeld();
      this.#destination.write(line);
      return;
    }
    if (this.#held === "") {
      holding.add(this);
      this.#timer = setTimeout(() => this.writeHeld(), HOLD_INFO_LINES_MS);
      // Held lines never keep the process alive: the exit hook writes them.
      this.#timer.unref();
    }
    this.#held += line;
    if (this.#held.length >= HOLD_AT_MOST_CHARS) this.writeHeld();
  }

  /** Hands what is held to the file's stream. */
  writeHeld(): void {
    const lines = this.#takeHeld();
    if (lines !== "") this.#destination.write(lines);
  }

  /** What is held, no longer held (its timer cleared): for exactly one write. */
  #takeHeld(): string {
    const lines = this.#held;
    if (lines === "") return lines;
    this.#held = "";
    clearTimeout(this.#timer);
    holding.delete(this);
    return lines;
  }

  flush(callback?: (error?: Error) => void): void {
    this.writeHeld();
    const { flush } = this.#destination as { flush?: (callback?: (error?: Error) => void) => void };
    if (flush) flush.call(this.#destination, callback);
    else callback?.();
  }

  flushSync(): void {
    const fd = this.#destination.fd;
    // Handed to the destination, held lines would leave in an asynchronous write, which an
    // exiting process does not wait for: written here and now instead, after what it queued.
    if (typeof fd === "number" && fd >= 0 && this.#held !== "") {
      this.#destination.flushSync();
      writeAllSync(fd, this.#takeHeld());
      return;
    }
    this.writeHeld();
    this.#destination.flushSync();
  }
}

function writeAllSync(fd: number, text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    const written = writeSync(fd, bytes);
    bytes = bytes.subarray(written);
  }
}

function writeHeldLinesNow(): void {
  for (const stream of holding) {
    try {
      stream.flushSync();
    } catch {
      // A destination that is already closed cannot take the lines any more.
    }
  }
}

/** Whether lines to `destination` are worth batching: it writes to a file descriptor. */
export function isFileDestination(destination: DestinationStream): destination is FileDestination {
  return typeof (destination as Partial<FileDestination>).flushSync === "function";
}
