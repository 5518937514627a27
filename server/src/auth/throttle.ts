/**
 * Slows password guessing per username: the first `freeFailures` failures cost nothing,
 * then each further failure locks the name for a doubling delay (capped). Works with any
 * clock so tests need no timers. Bounded: the oldest entries go past `maxEntries`.
 */
export interface LoginThrottleOptions {
  /** @default 3 */
  freeFailures?: number;
  /** First lock, in ms. @default 1000 */
  baseDelayMs?: number;
  /** @default 300000 (5 minutes) */
  maxDelayMs?: number;
  /** Failures older than this are forgotten. @default 900000 (15 minutes) */
  forgetAfterMs?: number;
  /** @default 10000 */
  maxEntries?: number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: Required<LoginThrottleOptions>;

  constructor(opts: LoginThrottleOptions = {}) {
    this.opts = {
      freeFailures: 3,
      baseDelayMs: 1000,
      maxDelayMs: 300_000,
      forgetAfterMs: 900_000,
      maxEntries: 10_000,
      ...opts,
    };
  }

  /** Milliseconds the caller must still wait before trying `username`; 0 when free. */
  retryAfterMs(username: string, now: number): number {
    const entry = this.current(username, now);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  /** Records a failed attempt; returns the lock (ms) it caused, 0 when none. */
  fail(username: string, now: number): number {
    const key = username.toLowerCase();
    const entry = this.current(username, now) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - this.opts.freeFailures;
    const delay = over > 0 ? Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (over - 1)) : 0;
    entry.lockedUntil = now + delay;
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return delay;
  }

  succeed(username: string): void {
    this.entries.delete(username.toLowerCase());
  }

  private current(username: string, now: number): Entry | undefined {
    const key = username.toLowerCase();
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailure > this.opts.forgetAfterMs && now >= entry.lockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
