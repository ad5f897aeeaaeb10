/**
 * Per-attempt timeouts that cost next to nothing until they fire. An AbortController and a
 * timer per attempt cost more than the rest of the SDK's own work, so attempts that start close
 * together with the same timeout share one of each. A group takes members for a short window
 * (a 64th of the timeout, at most a second, at most MAX_MEMBERS attempts); its timer aborts the
 * shared signal once the last possible member has run for the whole timeout. Every attempt is
 * thus cut off after `timeoutMs` plus at most that window, never before, and the abort really
 * closes its request (a timed-out request left running would hold its socket, and keep a
 * short script alive, until the server or the runtime gave up on it).
 */

/** Bounds the listeners `fetch` keeps on one signal until its requests are collected. */
const MAX_MEMBERS = 16;
const MAX_WINDOW_MS = 1_000;

type Timer = ReturnType<typeof setTimeout>;

/**
 * Node and Bun timers can stop holding the process open, and a group's timer does from the
 * start: while an attempt is in flight its request holds the process (the socket, the lookup),
 * and the timer only has to fire while the process runs. Letting go once instead of holding the
 * timer per attempt and letting go when the group is idle saves two timer calls per attempt.
 * Elsewhere (Deno, workerd, browsers) an idle group's timer is cleared instead, so no idle timer
 * ever keeps a program running.
 */
function letGo(timer: Timer): boolean {
  const handle = timer as unknown as { unref?: () => void };
  if (!handle.unref) return false;
  handle.unref();
  return true;
}

/** The group taking members; a group that is not this one takes none any more. */
let current: TimeoutGroup | undefined;

export class TimeoutGroup {
  /** Aborts when the group's timeout passes: every attempt still in it has timed out. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #closesAt: number;
  readonly #timer: Timer;
  /** The timer does not hold the process, so an idle group may stay open for new members. */
  readonly #letGo: boolean;
  #joined = 0;
  #active = 0;
  readonly #timeoutMs: number;

  private constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    const window = Math.min(MAX_WINDOW_MS, Math.ceil(timeoutMs / 64));
    this.#closesAt = Date.now() + window;
    this.signal = this.#controller.signal;
    this.#timer = setTimeout(() => {
      this.#close();
      this.#controller.abort(new DOMException("The attempt timed out", "TimeoutError"));
    }, timeoutMs + window);
    this.#letGo = letGo(this.#timer);
  }

  /** The group of an attempt starting now with this timeout; `leave` it however it ends. */
  static join(timeoutMs: number): TimeoutGroup {
    let group = current;
    if (
      !group ||
      group.#timeoutMs !== timeoutMs ||
      group.#joined >= MAX_MEMBERS ||
      Date.now() >= group.#closesAt
    ) {
      const stale = group;
      group = current = new TimeoutGroup(timeoutMs);
      // Closed after the new timer is set: clearing the only timer of a duration first would
      // make Node drop that duration's timer list and build it again for the new one.
      if (stale) stale.#close();
    }
    group.#joined++;
    group.#active++;
    return group;
  }

  leave(): void {
    if (!--this.#active && (this !== current || !this.#letGo)) this.#close();
  }

  /** Takes no more members; the timer stays only while members are in flight. */
  #close(): void {
    if (current === this) current = undefined;
    if (!this.#active) clearTimeout(this.#timer);
  }
}
