// How migrations run unless a migration's header says otherwise: timeouts, lock-timeout retries and
// how long to wait for another deployer's lock.

export interface RetryPolicy {
  /** Total time spent waiting between attempts of one migration before giving up. */
  budgetMs: number;
  /** First delay; doubles each attempt (jittered) up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RunSettings {
  /** SET lock_timeout: how long one statement may wait for a table lock before giving up (and retrying). */
  lockTimeoutMs: number;
  /** SET statement_timeout: the longest one statement may run. */
  statementTimeoutMs: number;
  retry: RetryPolicy;
  /** How long to wait for the migration lock held by another run. */
  lockWaitMs: number;
}

export const DEFAULT_SETTINGS: RunSettings = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 10 * 60_000,
  retry: { budgetMs: 60_000, baseDelayMs: 250, maxDelayMs: 10_000 },
  lockWaitMs: 60_000,
};

/** SQLSTATEs worth another attempt: lock_timeout, deadlock, serialization failure. */
export const RETRYABLE_SQLSTATES = new Set(["55P03", "40P01", "40001"]);

/** The delay before attempt `attempt` (1 = first retry): exponential, jittered between half and all of it. */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
