/**
 * Which table serves a telemetry query and how wide its buckets are, pure. Raw rows answer
 * ranges up to `RAW_MAX_RANGE_MS`; the 1-minute rollup answers longer ones, so a month's chart
 * never reads millions of raw rows.
 */
export const RAW_MAX_RANGE_MS = 6 * 3600_000;
/** Most buckets a response holds; a finer request is widened to fit. */
export const MAX_POINTS = 1500;
/** Buckets a chart gets when it does not ask. */
const DEFAULT_POINTS = 240;
const NICE_STEPS_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
];

export interface TelemetryPlan {
  source: 'raw' | 'rollup';
  bucketS: number;
}

const niceAtLeast = (s: number) => NICE_STEPS_S.find((n) => n >= s) ?? Math.ceil(s / 86400) * 86400;

/** `30`, `30s`, `5m`, `1h`, `1d` to seconds; null when not a duration. */
export function parseBucket(text: string): number | null {
  const m = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return n > 0 ? n : null;
}

export function planTelemetryQuery(fromMs: number, toMs: number, requestedBucketS?: number): TelemetryPlan {
  const rangeS = Math.max(1, (toMs - fromMs) / 1000);
  const source = toMs - fromMs <= RAW_MAX_RANGE_MS ? 'raw' : 'rollup';
  let bucketS = Math.max(
    requestedBucketS ?? niceAtLeast(rangeS / DEFAULT_POINTS),
    Math.ceil(rangeS / MAX_POINTS),
  );
  // The rollup has one row a minute: finer buckets would only repeat it.
  if (source === 'rollup') bucketS = Math.ceil(bucketS / 60) * 60;
  return { source, bucketS: Math.max(1, Math.round(bucketS)) };
}
