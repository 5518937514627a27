import type pg from 'pg';
import { lockDelayMs, THROTTLE_DEFAULTS, type ThrottleOptions } from './throttle.ts';

export type Claim = { ok: true; failures: number } | { ok: false; retryAfterMs: number };

/**
 * Per-username attempt counting, shared by every instance (usernames lower-cased). An
 * attempt is claimed, and counted as a failure, BEFORE the password is checked, in one
 * atomic statement: a burst of parallel guesses cannot all slip in before the lock.
 * A successful login then forgets the count.
 */
export function createLoginFailureStore(db: pg.Pool, opts: ThrottleOptions = THROTTLE_DEFAULTS) {
  // Lock after the 1st..64th failure; the cap is reached long before the end.
  const delays = Array.from({ length: 64 }, (_, i) => lockDelayMs(i + 1, opts));
  return {
    async claim(username: string, now: Date): Promise<Claim> {
      // The n-th failure in a row, and the lock it sets, in one statement: no window
      // between counting and locking for a parallel guess to slip through.
      const failures = `CASE WHEN f.last_failure < $2::timestamptz - $3 * interval '1 millisecond'
                             THEN 1 ELSE f.failures + 1 END`;
      const { rows } = await db.query<{ failures: number }>(
        `INSERT INTO login_failures AS f (username, failures, locked_until, last_failure)
         VALUES (lower($1), 1, $2::timestamptz + ($4::int[])[1] * interval '1 millisecond', $2)
         ON CONFLICT (username) DO UPDATE SET
           failures = ${failures},
           locked_until = $2::timestamptz + ($4::int[])[LEAST(${failures}, $5::int)] * interval '1 millisecond',
           last_failure = $2
         WHERE f.locked_until <= $2
         RETURNING failures`,
        [username, now, opts.forgetAfterMs, delays, delays.length],
      );
      const claimed = rows[0];
      if (claimed) return { ok: true, failures: claimed.failures };
      const locked = await db.query<{ locked_until: Date }>(
        'SELECT locked_until FROM login_failures WHERE username = lower($1)',
        [username],
      );
      const until = locked.rows[0]?.locked_until.getTime() ?? now.getTime();
      return { ok: false, retryAfterMs: Math.max(1, until - now.getTime()) };
    },

    /** The password was right: the count starts again. */
    async forget(username: string): Promise<void> {
      await db.query('DELETE FROM login_failures WHERE username = lower($1)', [username]);
    },

    /** Drops records that can no longer lock anyone. */
    async purge(): Promise<void> {
      await db.query(
        `DELETE FROM login_failures WHERE locked_until < now() AND last_failure < now() - $1 * interval '1 millisecond'`,
        [opts.forgetAfterMs],
      );
    },
  };
}

export type LoginFailureStore = ReturnType<typeof createLoginFailureStore>;
