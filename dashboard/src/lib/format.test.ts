import { describe, expect, it } from 'vitest';
import { formatDateTime, formatTime, percent } from './format.ts';

describe('times in the centre’s zone, whatever the browser’s', () => {
  it.each([
    ['2026-01-01T16:30:05Z', 'Asia/Shanghai', '00:30:05'],
    ['2026-01-01T16:30:05Z', 'UTC', '16:30:05'],
    ['2026-07-01T00:00:00Z', 'Europe/London', '01:00:00'],
  ])('%s in %s is %s', (iso, zone, expected) => {
    expect(formatTime(iso, zone)).toBe(expected);
  });

  it('crosses the date line with the zone', () => {
    expect(formatDateTime('2026-01-01T16:30:05Z', 'Asia/Shanghai')).toContain('2026/01/02');
  });

  it.each([null, undefined])('shows a dash for %s', (v) => {
    expect(formatTime(v, 'UTC')).toBe('—');
  });
});

describe('percent', () => {
  it.each([
    [0.5, '50.0%'],
    [1, '100.0%'],
    [0.1234, '12.3%'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s → %s', (v, expected) => {
    expect(percent(v)).toBe(expected);
  });
});
