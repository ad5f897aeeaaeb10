export interface WaitForOptions {
  /** Gives up after this long; 20 s by default (a loaded CI machine is slow, not broken). */
  timeoutMs?: number;
  /** How long to sleep between two looks; 25 ms by default. */
  intervalMs?: number;
  /** Names what was awaited in the timeout error. */
  description?: string;
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Looks at `predicate` until it returns something truthy and resolves with that value; rejects
 * once `timeoutMs` has passed. A look that throws (a server still starting, a database still
 * down) counts as "not yet", and the last such error is the timeout's cause. Tests wait for
 * what happens over a socket with it, never by sleeping a fixed time.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 25, description = "the condition" }: WaitForOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
