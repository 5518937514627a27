/**
 * Slows password guessing per username: the first `freeFailures` attempts cost nothing,
 * then each further failure locks the name for a doubling delay (capped). The counting
 * happens atomically in the database (`login-failures.ts`), so parallel guesses and
 * several instances all meet the same lock; this is the pure part.
 */
export interface ThrottleOptions {
  /** @default 3 */
  freeFailures: number;
  /** First lock, in ms. @default 1000 */
  baseDelayMs: number;
  /** @default 300000 (5 minutes) */
  maxDelayMs: number;
  /** Failures older than this are forgotten once any lock has passed. @default 900000 (15 minutes) */
  forgetAfterMs: number;
}

export const THROTTLE_DEFAULTS: ThrottleOptions = {
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
  forgetAfterMs: 900_000,
};

/** How long the username stays locked after its `failures`-th failure in a row. */
export function lockDelayMs(failures: number, opts: ThrottleOptions = THROTTLE_DEFAULTS): number {
  const over = failures - opts.freeFailures;
  return over > 0 ? Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (over - 1)) : 0;
}
