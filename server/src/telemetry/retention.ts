import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';

/** Arbitrary constant: one instance prunes at a time. */
const RETENTION_LOCK = 727_041;
const DAY = 86_400_000;

export interface RetentionOptions {
  timescale: boolean;
  /** Raw telemetry, events and dead letters are kept this many days. */
  rawDays: number;
  /** The 1-minute rollups are kept this many days. */
  rollupDays: number;
  now?: Date;
}

export interface RetentionResult {
  skipped: boolean;
  /** Chunks dropped (TimescaleDB) or rows deleted (plain tables), per table. */
  removed: Record<string, number>;
}

/**
 * Drops what is older than the retention periods: whole chunks on TimescaleDB hypertables
 * (cheap; a chunk goes once all of it is past the cutoff), DELETE on plain tables. Runs
 * hourly, so each DELETE removes about an hour of rows.
 */
export async function retentionOnce(
  db: pg.Pool,
  log: FastifyBaseLogger,
  opts: RetentionOptions,
): Promise<RetentionResult> {
  const now = (opts.now ?? new Date()).getTime();
  const rawCutoff = new Date(now - opts.rawDays * DAY);
  const rollupCutoff = new Date(now - opts.rollupDays * DAY);
  const client = await db.connect();
  try {
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
      RETENTION_LOCK,
    ]);
    if (!locked.rows[0]?.ok) return { skipped: true, removed: {} };
    try {
      const removed: Record<string, number> = {};
      for (const table of ['telemetry', 'events']) {
        if (opts.timescale) {
          const res = await client.query(`SELECT drop_chunks($1::regclass, older_than => $2::timestamptz)`, [
            table,
            rawCutoff,
          ]);
          removed[table] = res.rowCount ?? 0;
        } else {
          const res = await client.query(`DELETE FROM ${table} WHERE ts < $1`, [rawCutoff]);
          removed[table] = res.rowCount ?? 0;
        }
      }
      const deletes: Array<[string, string, Date]> = [
        ['telemetry_1m', 'bucket', rollupCutoff],
        ['charger_load_1m', 'bucket', rollupCutoff],
        ['dead_letters', 'received_at', rawCutoff],
      ];
      for (const [table, column, cutoff] of deletes) {
        const res = await client.query(`DELETE FROM ${table} WHERE ${column} < $1`, [cutoff]);
        removed[table] = res.rowCount ?? 0;
      }
      if (Object.values(removed).some((n) => n > 0))
        log.info({ removed, rawCutoff, rollupCutoff }, 'retention');
      return { skipped: false, removed };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
    }
  } finally {
    client.release();
  }
}
