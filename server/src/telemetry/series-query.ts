import type pg from 'pg';
import { aggregatableFloat, aggregatableNumber, isJsonNumber } from './aggregatable.ts';
import type { TelemetryPlan } from './plan.ts';
import { ROLLUP_NAME } from './rollup.ts';

export interface SeriesPoint {
  t: string;
  avg: number;
  min: number;
  max: number;
  count: number;
}

export interface SeriesQuery {
  deviceId: string;
  metric: string;
  from: Date;
  to: Date;
  plan: TelemetryPlan;
  /** `time_bucket` (TimescaleDB) or `date_bin` (plain PostgreSQL, PGlite): same buckets either way. */
  timescale: boolean;
  /** Buckets of a day or more start at midnight in this zone. */
  timeZone: string;
}

export interface Series {
  points: SeriesPoint[];
  /** Readings of the range left out because no aggregate can take their value. */
  skipped: number;
}

/** A reading's metric as a number, or null when it is missing, not numeric or too large to aggregate. */
const VALUE = aggregatableNumber('data -> $2::text');
/** 1 when the reading has the metric as a number that cannot be aggregated. */
const SKIPPED = `CASE WHEN ${isJsonNumber('data -> $2::text')} AND (${VALUE}) IS NULL THEN 1 ELSE 0 END`;

/**
 * Bucketed avg/min/max/count of one device's metric. The raw plan reads `telemetry`; the
 * rollup plan reads `telemetry_1m` up to where the rollup job has got, and raw rows after
 * that, so the newest minutes of a long chart are not missing.
 */
export async function querySeries(db: pg.Pool, q: SeriesQuery): Promise<Series> {
  const origin = `(timestamp '2000-01-03 00:00:00' AT TIME ZONE $6::text)`;
  const bucket = (column: string) =>
    q.timescale
      ? `time_bucket($3::interval, ${column}, origin => ${origin})`
      : `date_bin($3::interval, ${column}, ${origin})`;
  const params: unknown[] = [q.deviceId, q.metric, `${q.plan.bucketS} seconds`, q.from, q.to, q.timeZone];
  let sql: string;
  if (q.plan.source === 'raw') {
    sql = `
      SELECT ${bucket('ts')} AS t, avg(v) AS avg, min(v) AS min, max(v) AS max, count(v)::int AS count,
             sum(skipped)::int AS skipped
        FROM (SELECT ts, ${VALUE} AS v, ${SKIPPED} AS skipped
                FROM telemetry WHERE device_id = $1 AND ts >= $4 AND ts < $5) s
       WHERE v IS NOT NULL OR skipped = 1
       GROUP BY 1 ORDER BY 1`;
  } else {
    params.push(ROLLUP_NAME);
    sql = `
      WITH done AS (
        SELECT COALESCE((SELECT done_until FROM rollup_progress WHERE name = $7), $4::timestamptz) AS until
      ), rolled AS (
        SELECT r.bucket AS ts, r.avg, r.min, r.max, r.count,
               ${aggregatableFloat('r.avg')} AND ${aggregatableFloat('r.min')} AND ${aggregatableFloat('r.max')} AS ok
          FROM telemetry_1m r, done
         WHERE r.device_id = $1 AND r.metric = $2 AND r.bucket >= $4 AND r.bucket < LEAST($5::timestamptz, done.until)
      ), minutes AS (
        -- A minute rolled up before the bounds existed may hold values no sum can take.
        SELECT ts, CASE WHEN ok THEN avg END AS avg, CASE WHEN ok THEN min END AS min,
               CASE WHEN ok THEN max END AS max, CASE WHEN ok THEN count ELSE 0 END AS count,
               CASE WHEN ok THEN 0 ELSE count END AS skipped
          FROM rolled
        UNION ALL
        SELECT ts, v, v, v, CASE WHEN v IS NULL THEN 0 ELSE 1 END, skipped
          FROM (SELECT ts, ${VALUE} AS v, ${SKIPPED} AS skipped FROM telemetry, done
                 WHERE device_id = $1 AND ts >= GREATEST($4::timestamptz, done.until) AND ts < $5) s
         WHERE v IS NOT NULL OR skipped = 1
      )
      SELECT ${bucket('ts')} AS t, sum(avg * count) / NULLIF(sum(count), 0) AS avg, min(min) AS min,
             max(max) AS max, sum(count)::int AS count, sum(skipped)::int AS skipped
        FROM minutes GROUP BY 1 ORDER BY 1`;
  }
  const { rows } = await db.query<{
    t: Date;
    avg: number;
    min: number;
    max: number;
    count: number;
    skipped: number;
  }>(sql, params);
  return {
    // A bucket whose every value was left out has no point.
    points: rows
      .filter((r) => r.count > 0)
      .map((r) => ({ t: r.t.toISOString(), avg: r.avg, min: r.min, max: r.max, count: r.count })),
    skipped: rows.reduce((n, r) => n + r.skipped, 0),
  };
}
