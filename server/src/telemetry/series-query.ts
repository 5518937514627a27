import type pg from 'pg';
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

/** A reading's metric as a number, or null when it is missing or not numeric. */
const VALUE = `CASE WHEN jsonb_typeof(data -> $2::text) = 'number' THEN (data ->> $2::text)::float8 END`;

/**
 * Bucketed avg/min/max/count of one device's metric. The raw plan reads `telemetry`; the
 * rollup plan reads `telemetry_1m` up to where the rollup job has got, and raw rows after
 * that, so the newest minutes of a long chart are not missing.
 */
export async function querySeries(db: pg.Pool, q: SeriesQuery): Promise<SeriesPoint[]> {
  const origin = `(timestamp '2000-01-03 00:00:00' AT TIME ZONE $6::text)`;
  const bucket = (column: string) =>
    q.timescale
      ? `time_bucket($3::interval, ${column}, origin => ${origin})`
      : `date_bin($3::interval, ${column}, ${origin})`;
  const params: unknown[] = [q.deviceId, q.metric, `${q.plan.bucketS} seconds`, q.from, q.to, q.timeZone];
  let sql: string;
  if (q.plan.source === 'raw') {
    sql = `
      SELECT ${bucket('ts')} AS t, avg(v) AS avg, min(v) AS min, max(v) AS max, count(*)::int AS count
        FROM (SELECT ts, ${VALUE} AS v FROM telemetry WHERE device_id = $1 AND ts >= $4 AND ts < $5) s
       WHERE v IS NOT NULL
       GROUP BY 1 ORDER BY 1`;
  } else {
    params.push(ROLLUP_NAME);
    sql = `
      WITH done AS (
        SELECT COALESCE((SELECT done_until FROM rollup_progress WHERE name = $7), $4::timestamptz) AS until
      ), minutes AS (
        SELECT r.bucket AS ts, r.avg, r.min, r.max, r.count
          FROM telemetry_1m r, done
         WHERE r.device_id = $1 AND r.metric = $2 AND r.bucket >= $4 AND r.bucket < LEAST($5::timestamptz, done.until)
        UNION ALL
        SELECT ts, v, v, v, 1
          FROM (SELECT ts, ${VALUE} AS v FROM telemetry, done
                 WHERE device_id = $1 AND ts >= GREATEST($4::timestamptz, done.until) AND ts < $5) s
         WHERE v IS NOT NULL
      )
      SELECT ${bucket('ts')} AS t, sum(avg * count) / sum(count) AS avg, min(min) AS min, max(max) AS max,
             sum(count)::int AS count
        FROM minutes GROUP BY 1 ORDER BY 1`;
  }
  const { rows } = await db.query<{ t: Date; avg: number; min: number; max: number; count: number }>(
    sql,
    params,
  );
  return rows.map((r) => ({ t: r.t.toISOString(), avg: r.avg, min: r.min, max: r.max, count: r.count }));
}
