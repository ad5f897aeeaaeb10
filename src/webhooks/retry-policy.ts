/** How often and how patiently a failed piece of work is tried again. */
export interface RetryPolicy {
  /** Attempts in total (the first one included) before giving up. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; each further one doubles it. */
  readonly baseDelayMs: number;
  /** Upper bound of a single delay. */
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
 * spread out (many deliveries failing together do not come back together) yet never retry
 * almost immediately.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
