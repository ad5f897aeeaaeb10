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
 * Node and Bun timers can stop holding the process open; elsewhere (Deno, workerd, browsers)
 * an idle group's timer is cleared instead, so no idle timer ever keeps a program running.
 */
function setHeld(timer: Timer, held: boolean): boolean {
  const handle = timer as unknown as { ref?: () => void; unref?: () => void };
  if (!handle.unref || !handle.ref) return false;
  if (held) handle.ref();
  else handle.unref();
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
      if (group) group.#close();
      group = current = new TimeoutGroup(timeoutMs);
    }
    // An idle group's timer was let go of (see leave); hold it again while it has a member.
    if (group.#joined++ && !group.#active) setHeld(group.#timer, true);
    group.#active++;
    return group;
  }

  leave(): void {
    if (!--this.#active && (this !== current || !setHeld(this.#timer, false))) this.#close();
  }

  /** Takes no more members; the timer stays only while members are in flight. */
  #close(): void {
    if (current === this) current = undefined;
    if (!this.#active) clearTimeout(this.#timer);
  }
}
