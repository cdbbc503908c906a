// When the next attempt happens: the configured schedule with jitter, never sooner than the receiver's Retry-After.
const MAX_RETRY_AFTER_MS = 24 * 3600e3;

export interface RetryPolicy {
  /** Delay before attempt n+1 (index 0: the first attempt, after the event). Length = attempts allowed. */
  scheduleMs: readonly number[];
  /** ± fraction of each delay, so many failing deliveries don't retry in lockstep. */
  jitter: number;
  random: () => number;
}

/** `attemptsDone` attempts have failed; undefined when the schedule is exhausted. */
export function nextAttemptAt(policy: RetryPolicy, attemptsDone: number, now: Date, retryAfterMs?: number): Date | undefined {
  const base = policy.scheduleMs[attemptsDone];
  if (base === undefined) return undefined;
  const jittered = base * (1 + policy.jitter * (2 * policy.random() - 1));
  const delay = Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
  return new Date(now.getTime() + Math.round(delay));
}

/** Retry-After as seconds or an HTTP date → milliseconds from now (undefined when absent or unparseable). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
