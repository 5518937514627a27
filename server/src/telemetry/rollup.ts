import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { isTransientDbError } from '../ingest/db-errors.ts';
import { aggregatableFloat, aggregatableNumber } from './aggregatable.ts';

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
  /** Told what the run left out (for the metric); the log says it too. */
  onSkipped?: (reason: RollupSkipReason, count: number) => void;
}

/**
 * What a run leaves out rather than stop on: a value no aggregate can take, a device's minute
 * the database still refused on its own, a minute of grid charging load it refused.
 */
export type RollupSkipReason = 'value-out-of-range' | 'device-minute-failed' | 'load-minute-failed';

export interface RollupResult {
  skipped: boolean;
  windows: number;
  rows: number;
  doneUntil: Date | null;
  /** What this run left out, by reason (see `RollupSkipReason`). */
  left: Record<RollupSkipReason, number>;
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
    const left: Record<RollupSkipReason, number> = {
      'value-out-of-range': 0,
      'device-minute-failed': 0,
      'load-minute-failed': 0,
    };
    if (!locked.rows[0]?.ok) return { skipped: true, windows: 0, rows: 0, doneUntil: null, left };
    try {
      const progress = await client.query<{ done_until: Date }>(
        'SELECT done_until FROM rollup_progress WHERE name = $1',
        [ROLLUP_NAME],
      );
      const doneBefore = progress.rows[0]?.done_until.getTime() ?? 0;
      let start = progress.rows[0] ? doneBefore - overlapMs : null;
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
        // Minutes of the overlap were counted by the run before, if they had anything to leave out.
        const countFrom = new Date(Math.max(start, doneBefore));
        const done = await aggregateIsolated(client, log, new Date(start), new Date(until), countFrom);
        rows += done.rows;
        for (const [reason, n] of Object.entries(done.left) as Array<[RollupSkipReason, number]>) {
          if (n === 0) continue;
          left[reason] += n;
          opts.onSkipped?.(reason, n);
        }
        await saveProgress(client, new Date(until));
        windows++;
        start = until;
      }
      if (start !== null && start >= end) await saveProgress(client, new Date(end));
      const doneUntil = new Date(Math.min(start ?? end, end));
      if (windows > 0) log.debug({ windows, rows, doneUntil, ms: Date.now() - started }, 'rollup');
      return { skipped: false, windows, rows, doneUntil, left };
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

interface Aggregated {
  rows: number;
  left: Record<RollupSkipReason, number>;
}

/**
 * Rolls up [from, to) in one go; when the database refuses that for the data (not because it
 * is down: that error goes up and the run is tried again later), minute by minute, and a
 * refused minute device by device. A device-minute refused on its own is left out, counted and
 * logged: one bad row never holds up every device's rollup.
 */
async function aggregateIsolated(
  client: pg.PoolClient,
  log: FastifyBaseLogger,
  from: Date,
  to: Date,
  countFrom: Date,
): Promise<Aggregated> {
  const left: Record<RollupSkipReason, number> = {
    'value-out-of-range': 0,
    'device-minute-failed': 0,
    'load-minute-failed': 0,
  };
  const note = (r: { rows: number; skipped: number }) => {
    left['value-out-of-range'] += r.skipped;
    return r.rows;
  };
  let rows = 0;
  try {
    rows += note(await aggregateMetrics(client, from, to, countFrom));
    await aggregateLoad(client, from, to);
  } catch (err) {
    if (isTransientDbError(err)) throw err;
    log.warn({ err, from, to }, 'rollup window refused; retrying minute by minute');
    rows = 0;
    left['value-out-of-range'] = 0;
    for (let m = from.getTime(); m < to.getTime(); m += MINUTE) {
      const minute = new Date(m);
      const next = new Date(m + MINUTE);
      try {
        rows += note(await aggregateMetrics(client, minute, next, countFrom));
      } catch (minuteErr) {
        if (isTransientDbError(minuteErr)) throw minuteErr;
        rows += await aggregatePerDevice(client, log, minute, next, countFrom, left, note);
      }
      try {
        await aggregateLoad(client, minute, next);
      } catch (loadErr) {
        if (isTransientDbError(loadErr)) throw loadErr;
        left['load-minute-failed'] += 1;
        log.error({ err: loadErr, minute }, 'rollup: charging load of a minute refused, left out');
      }
    }
  }
  if (left['value-out-of-range'] > 0)
    log.warn({ from, to, values: left['value-out-of-range'] }, 'rollup left out values it cannot aggregate');
  return { rows, left };
}

async function aggregatePerDevice(
  client: pg.PoolClient,
  log: FastifyBaseLogger,
  from: Date,
  to: Date,
  countFrom: Date,
  left: Record<RollupSkipReason, number>,
  note: (r: { rows: number; skipped: number }) => number,
): Promise<number> {
  const { rows: devices } = await client.query<{ device_id: string }>(
    'SELECT DISTINCT device_id FROM telemetry WHERE ts >= $1 AND ts < $2',
    [from, to],
  );
  let rows = 0;
  for (const { device_id: deviceId } of devices) {
    try {
      rows += note(await aggregateMetrics(client, from, to, countFrom, deviceId));
    } catch (err) {
      if (isTransientDbError(err)) throw err;
      if (from >= countFrom) left['device-minute-failed'] += 1;
      log.error({ err, deviceId, minute: from }, 'rollup: a device minute refused, left out');
    }
  }
  return rows;
}

/** Where a reading's value is a number that can be averaged, per device, metric and minute. */
const VALUE = aggregatableNumber('kv.value');

/**
 * Per device, metric and minute of [from, to) (one device when `deviceId` is given). Values too
 * large to aggregate are left out and counted (`skipped`); a minute of nothing but such values
 * gets no row. Only values from `countFrom` on are counted: the minutes before were counted by
 * the run that first rolled them up.
 */
async function aggregateMetrics(
  client: pg.PoolClient,
  from: Date,
  to: Date,
  countFrom: Date,
  deviceId?: string,
): Promise<{ rows: number; skipped: number }> {
  const params: unknown[] = [from, to, countFrom];
  if (deviceId !== undefined) params.push(deviceId);
  const { rows } = await client.query<{ rows: number; skipped: number }>(
    `WITH vals AS (
       SELECT t.device_id, date_trunc('minute', t.ts) AS bucket, kv.key AS metric, ${VALUE} AS v
         FROM telemetry t CROSS JOIN LATERAL jsonb_each(t.data) AS kv(key, value)
        WHERE t.ts >= $1 AND t.ts < $2 ${deviceId === undefined ? '' : 'AND t.device_id = $4'}
          AND jsonb_typeof(t.data) = 'object'
          AND jsonb_typeof(kv.value) = 'number' AND kv.key NOT IN ('ts', 'seq')
     ), agg AS (
       SELECT device_id, bucket, metric, avg(v) AS avg, min(v) AS min, max(v) AS max, count(v)::int AS count,
              (count(*) - count(v))::int AS skipped
         FROM vals GROUP BY 1, 2, 3
     ), saved AS (
       INSERT INTO telemetry_1m (device_id, bucket, metric, avg, min, max, count)
       SELECT device_id, bucket, metric, avg, min, max, count FROM agg WHERE count > 0
       ON CONFLICT (device_id, metric, bucket) DO UPDATE
          SET avg = EXCLUDED.avg, min = EXCLUDED.min, max = EXCLUDED.max, count = EXCLUDED.count
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM saved)::int AS rows,
            COALESCE((SELECT sum(skipped) FROM agg WHERE bucket >= $3), 0)::int AS skipped`,
    params,
  );
  return rows[0] ?? { rows: 0, skipped: 0 };
}

/** Charging power per grid and minute of [from, to), from the minutes already rolled up. */
async function aggregateLoad(client: pg.PoolClient, from: Date, to: Date): Promise<void> {
  await client.query(
    `INSERT INTO charger_load_1m (bucket, place, grid_id, community_id, street_id, district_id, power_kw, chargers)
     SELECT r.bucket, COALESCE(d.grid_id, ''), max(d.grid_id), max(d.community_id), max(d.street_id),
            max(d.district_id), sum(r.avg), count(*)::int
       FROM telemetry_1m r JOIN devices d ON d.id = r.device_id
      WHERE r.metric = 'powerKw' AND r.bucket >= $1 AND r.bucket < $2 AND d.kind = 'charger'
        -- a minute rolled up before the bounds existed may hold what no sum can take
        AND ${aggregatableFloat('r.avg')}
      GROUP BY r.bucket, COALESCE(d.grid_id, '')
     ON CONFLICT (bucket, place) DO UPDATE
        SET grid_id = EXCLUDED.grid_id, community_id = EXCLUDED.community_id, street_id = EXCLUDED.street_id,
            district_id = EXCLUDED.district_id, power_kw = EXCLUDED.power_kw, chargers = EXCLUDED.chargers`,
    [from, to],
  );
}
