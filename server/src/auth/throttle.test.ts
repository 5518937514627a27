import { describe, expect, it } from 'vitest';
import { lockDelayMs, THROTTLE_DEFAULTS } from './throttle.ts';

describe('lockDelayMs', () => {
  it.each([
    [0, 0],
    [1, 0],
    [3, 0],
    [4, 1000],
    [5, 2000],
    [6, 4000],
    [11, 128_000],
    [12, 256_000],
    [13, 300_000],
    [1000, 300_000],
  ])('after %i failures locks for %i ms (defaults)', (failures, expected) => {
    expect(lockDelayMs(failures)).toBe(expected);
  });

  it('follows its options', () => {
    const opts = { ...THROTTLE_DEFAULTS, freeFailures: 0, baseDelayMs: 50, maxDelayMs: 120 };
    expect([1, 2, 3, 4].map((n) => lockDelayMs(n, opts))).toEqual([50, 100, 120, 120]);
  });
});
