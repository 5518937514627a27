import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';

/** Row of rollup_progress this job owns. */
export const ROLLUP_NAME = 'telemetry_1m';
/** Arbitrary constant: one instance rolls up at a time. */
const ROLLUP_LOCK = 727_040;
const MINUTE = 60_000;

export interface RollupOptions {
  now?: Date;
  /** Minutes aggregated per statement. @default 15 */
  windowMinutes?: number;
  /** Minutes before the last end aggregated again, for readings that arrived late. @default 2 */
  overlapMinutes?: number;
  /** A minute is complete this long after it ends (ingest batches still committing). @default 10000 */
  settleMs?: number;
  /** Stop after this long and continue on the next run. @default 20000 */
  budgetMs?: number;
}

export interface RollupResult {
  skipped: boolean;
  windows: number;
  rows: number;
  doneUntil: Date | null;
}

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/**
 * Aggregates completed minutes of raw telemetry into `telemetry_1m` (every numeric field but
 * `ts` and `seq`) and charging power per grid into `charger_load_1m`. Idempotent: rows are
 * upserted, so running again, or re-reading the overlap, changes nothing. Only minutes after
 * `rollup_progress.done_until` (less the overlap) are read, and a gap without readings (the
 * server was down) is jumped over in one index lookup. One instance at a time (advisory lock);
 * another instance's run makes this one return `skipped`.
 */
export async function rollupOnce(
  db: pg.Pool,
  log: FastifyBaseLogger,
  opts: RollupOptions = {},
): Promise<RollupResult> {
  const now = (opts.now ?? new Date()).getTime();
  const windowMs = (opts.windowMinutes ?? 15) * MINUTE;
  const overlapMs = (opts.overlapMinutes ?? 2) * MINUTE;
  const budgetMs = opts.budgetMs ?? 20_000;
  const end = floorMinute(now - (opts.settleMs ?? 10_000));
  const started = Date.now();
  const client = await db.connect();
  try {
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
      ROLLUP_LOCK,
    ]);
    if (!locked.rows[0]?.ok) return { skipped: true, windows: 0, rows: 0, doneUntil: null };
    try {
      const progress = await client.query<{ done_until: Date }>(
        'SELECT done_until FROM rollup_progress WHERE name = $1',
        [ROLLUP_NAME],
      );
      let start = progress.rows[0] ? progress.rows[0].done_until.getTime() - overlapMs : null;
      let windows = 0;
      let rows = 0;
      while ((start === null || start < end) && Date.now() - started < budgetMs) {
        // Jump to the first reading at or after `start`: a long gap costs one index lookup.
        const first = await client.query<{ ts: Date | null }>(
          'SELECT min(ts) AS ts FROM telemetry WHERE ts >= $1 AND ts < $2',
          [new Date(start ?? 0), new Date(end)],
        );
        const firstTs = first.rows[0]?.ts;
        if (!firstTs) {
          start = end;
          break;
        }
        start = Math.max(start ?? 0, floorMinute(firstTs.getTime()));
        const until = Math.min(start + windowMs, end);
        rows += await aggregate(client, new Date(start), new Date(until));
        await saveProgress(client, new Date(until));
        windows++;
        start = until;
      }
      if (start !== null && start >= end) await saveProgress(client, new Date(end));
      const doneUntil = new Date(Math.min(start ?? end, end));
      if (windows > 0) log.debug({ windows, rows, doneUntil, ms: Date.now() - started }, 'rollup');
      return { skipped: false, windows, rows, doneUntil };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLLUP_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function saveProgress(client: pg.PoolClient, until: Date): Promise<void> {
  await client.query(
    `INSERT INTO rollup_progress (name, done_until) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET done_until = GREATEST(rollup_progress.done_until, EXCLUDED.done_until)`,
    [ROLLUP_NAME, until],
  );
}

/** Rolls up [from, to): per device, metric and minute, then charging power per grid and minute. */
async function aggregate(client: pg.PoolClient, from: Date, to: Date): Promise<number> {
  const metrics = await client.query(
    `INSERT INTO telemetry_1m (device_id, bucket, metric, avg, min, max, count)
     SELECT t.device_id, date_trunc('minute', t.ts), kv.key,
            avg(kv.value::float8), min(kv.value::float8), max(kv.value::float8), count(*)::int
       FROM telemetry t CROSS JOIN LATERAL jsonb_each(t.data) AS kv(key, value)
      WHERE t.ts >= $1 AND t.ts < $2 AND jsonb_typeof(kv.value) = 'number' AND kv.key NOT IN ('ts', 'seq')
      GROUP BY 1, 2, 3
     ON CONFLICT (device_id, metric, bucket) DO UPDATE
        SET avg = EXCLUDED.avg, min = EXCLUDED.min, max = EXCLUDED.max, count = EXCLUDED.count`,
    [from, to],
  );
  await client.query(
    `INSERT INTO charger_load_1m (bucket, place, grid_id, community_id, street_id, district_id, power_kw, chargers)
     SELECT r.bucket, COALESCE(d.grid_id, ''), max(d.grid_id), max(d.community_id), max(d.street_id),
            max(d.district_id), sum(r.avg), count(*)::int
       FROM telemetry_1m r JOIN devices d ON d.id = r.device_id
      WHERE r.metric = 'powerKw' AND r.bucket >= $1 AND r.bucket < $2 AND d.kind = 'charger'
      GROUP BY r.bucket, COALESCE(d.grid_id, '')
     ON CONFLICT (bucket, place) DO UPDATE
        SET grid_id = EXCLUDED.grid_id, community_id = EXCLUDED.community_id, street_id = EXCLUDED.street_id,
            district_id = EXCLUDED.district_id, power_kw = EXCLUDED.power_kw, chargers = EXCLUDED.chargers`,
    [from, to],
  );
  return metrics.rowCount ?? 0;
}
