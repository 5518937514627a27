/**
 * What to do after one delivery attempt, and when to try again. Pure: the caller gives the
 * attempt number, the outcome and a random number in [0, 1).
 */
export interface RetryPolicy {
  /** First retry delay before jitter, ms. @default 5000 */
  baseMs: number;
  /** Longest delay, ms. @default 3600000 */
  maxMs: number;
  /** Attempts before a message that keeps failing transiently is declared dead. @default 100 */
  maxAttempts: number;
  /** Attempts before a message the receiver refuses (4xx but 408/429) is declared dead. @default 3 */
  deadAfterRefusals: number;
}

export type AttemptOutcome = { status: number; retryAfterS?: number | null } | { error: string };

export type Decision =
  | { action: 'delivered' }
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'dead'; reason: string };

/**
 * Exponential backoff with "equal jitter": half the doubled delay is fixed, half random, so
 * retries of many messages after an outage spread out but none comes back at once.
 */
export function backoffMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  random: number,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random * exp) / 2);
}

/** Transient: the receiver may take it later (timeouts, throttling, server errors). */
export function isTransient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function decide(
  attempt: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: number,
): Decision {
  let reason: string;
  let limit = policy.maxAttempts;
  let delayMs = backoffMs(attempt, policy, random);
  if ('error' in outcome) {
    reason = outcome.error;
  } else {
    const { status } = outcome;
    if (status >= 200 && status < 300) return { action: 'delivered' };
    reason = `HTTP ${status}`;
    if (!isTransient(status)) limit = Math.min(limit, policy.deadAfterRefusals);
    if (outcome.retryAfterS && outcome.retryAfterS > 0) {
      delayMs = Math.min(policy.maxMs, Math.max(delayMs, outcome.retryAfterS * 1000));
    }
  }
  if (attempt >= limit) return { action: 'dead', reason: `${reason} after ${attempt} attempts` };
  return { action: 'retry', delayMs, reason };
}

/** `Retry-After` in seconds (delta form only; an HTTP date is ignored). */
export function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value || !/^\d{1,7}$/.test(value.trim())) return null;
  return Number(value.trim());
}
