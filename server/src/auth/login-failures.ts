import type pg from 'pg';
import { lockDelayMs, THROTTLE_DEFAULTS, type ThrottleOptions } from './throttle.ts';

export type Claim = { ok: true; failures: number } | { ok: false; retryAfterMs: number };

/**
 * Attempt counting per username (lower-cased) AND client address, shared by every instance.
 * Keyed by both so that whoever fails logins for an officer from another address locks only
 * that address out, never the officer at theirs; each address guessing still meets the lock,
 * and the per-address rate limit bounds how many names one address can try. An attempt is
 * claimed, and counted as a failure, BEFORE the password is checked, in one atomic statement:
 * a burst of parallel guesses cannot all slip in before the lock. A successful login then
 * forgets the count of that username and address.
 */
export function createLoginFailureStore(db: pg.Pool, opts: ThrottleOptions = THROTTLE_DEFAULTS) {
  // Lock after the 1st..64th failure; the cap is reached long before the end.
  const delays = Array.from({ length: 64 }, (_, i) => lockDelayMs(i + 1, opts));
  return {
    async claim(username: string, address: string, now: Date): Promise<Claim> {
      // The n-th failure in a row, and the lock it sets, in one statement: no window
      // between counting and locking for a parallel guess to slip through.
      const failures = `CASE WHEN f.last_failure < $3::timestamptz - $4 * interval '1 millisecond'
                             THEN 1 ELSE f.failures + 1 END`;
      const { rows } = await db.query<{ failures: number }>(
        `INSERT INTO login_attempts AS f (username, address, failures, locked_until, last_failure)
         VALUES (lower($1), $2, 1, $3::timestamptz + ($5::int[])[1] * interval '1 millisecond', $3)
         ON CONFLICT (username, address) DO UPDATE SET
           failures = ${failures},
           locked_until = $3::timestamptz + ($5::int[])[LEAST(${failures}, $6::int)] * interval '1 millisecond',
           last_failure = $3
         WHERE f.locked_until <= $3
         RETURNING failures`,
        [username, address, now, opts.forgetAfterMs, delays, delays.length],
      );
      const claimed = rows[0];
      if (claimed) return { ok: true, failures: claimed.failures };
      const locked = await db.query<{ locked_until: Date }>(
        'SELECT locked_until FROM login_attempts WHERE username = lower($1) AND address = $2',
        [username, address],
      );
      const until = locked.rows[0]?.locked_until.getTime() ?? now.getTime();
      return { ok: false, retryAfterMs: Math.max(1, until - now.getTime()) };
    },

    /** The password was right: the count of this username at this address starts again. */
    async forget(username: string, address: string): Promise<void> {
      await db.query('DELETE FROM login_attempts WHERE username = lower($1) AND address = $2', [
        username,
        address,
      ]);
    },

    /** Drops records that can no longer lock anyone. */
    async purge(): Promise<void> {
      await db.query(
        `DELETE FROM login_attempts WHERE locked_until < now() AND last_failure < now() - $1 * interval '1 millisecond'`,
        [opts.forgetAfterMs],
      );
    },
  };
}

export type LoginFailureStore = ReturnType<typeof createLoginFailureStore>;
