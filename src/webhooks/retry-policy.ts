import { backoffDelayMs } from "../sdk/runtime/retry-policy.js";

/** How often and how patiently a failed piece of work is tried again. */
export interface RetryPolicy {
  /** Attempts in total (the first one included) before giving up. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; each further one doubles it. */
  readonly baseDelayMs: number;
  /** Upper bound of a single delay. */
  readonly maxDelayMs: number;
}

/** The SDK's backoff (one jitter formula) with this policy's bounds, in whole milliseconds. */
export function retryDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  return Math.round(backoffDelayMs(failedAttempt, random, policy));
}
