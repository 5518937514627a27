import { describe, expect, it } from 'vitest';
import { MAX_POINTS, parseBucket, planTelemetryQuery } from './plan.ts';

const H = 3600_000;

describe('planTelemetryQuery', () => {
  it.each([
    ['1 h, default', 1 * H, undefined, { source: 'raw', bucketS: 15 }],
    ['6 h is still raw', 6 * H, undefined, { source: 'raw', bucketS: 120 }],
    ['just over 6 h uses the rollup', 6 * H + 1000, undefined, { source: 'rollup', bucketS: 120 }],
    ['24 h, default', 24 * H, undefined, { source: 'rollup', bucketS: 600 }],
    ['30 d, default', 720 * H, undefined, { source: 'rollup', bucketS: 10800 }],
    ['asked 10 s over 1 h', 1 * H, 10, { source: 'raw', bucketS: 10 }],
    [
      'asked 1 s over 6 h is widened to the cap',
      6 * H,
      1,
      { source: 'raw', bucketS: Math.ceil((6 * 3600) / MAX_POINTS) },
    ],
    ['asked 90 s on the rollup rounds to whole minutes', 12 * H, 90, { source: 'rollup', bucketS: 120 }],
  ])('%s', (_name, range, bucket, plan) => {
    const to = Date.UTC(2026, 0, 1);
    expect(planTelemetryQuery(to - range, to, bucket)).toEqual(plan);
  });

  it('never answers more than MAX_POINTS buckets', () => {
    for (const range of [H, 6 * H, 48 * H, 400 * 24 * H]) {
      const { bucketS } = planTelemetryQuery(0, range, 1);
      expect(range / 1000 / bucketS).toBeLessThanOrEqual(MAX_POINTS);
    }
  });
});

describe('parseBucket', () => {
  it.each([
    ['30', 30],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1d', 86400],
    ['0', null],
    ['-5', null],
    ['1w', null],
    ['1h; DROP', null],
  ])('%s → %s', (text, seconds) => {
    expect(parseBucket(text)).toBe(seconds);
  });
});
