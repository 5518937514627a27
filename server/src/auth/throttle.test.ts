import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './throttle.ts';

describe('LoginThrottle', () => {
  it('lets the first failures through, then locks for a doubling delay', () => {
    const t = new LoginThrottle({ freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000 });
    const locks = Array.from({ length: 7 }, () => t.fail('admin', 0));
    expect(locks).toEqual([0, 0, 0, 1000, 2000, 4000, 8000]);
    expect(t.fail('admin', 0)).toBe(8000);
  });

  it.each([
    [0, 4000],
    [1500, 2500],
    [4000, 0],
    [9000, 0],
  ])('at %i ms after the 5th failure waits %i ms', (elapsed, expected) => {
    const t = new LoginThrottle({ freeFailures: 3, baseDelayMs: 2000 });
    for (let i = 0; i < 5; i++) t.fail('Admin', 0);
    expect(t.retryAfterMs('admin', elapsed)).toBe(expected);
  });

  it('keeps names apart, is case-insensitive, and forgets on success', () => {
    const t = new LoginThrottle({ freeFailures: 0, baseDelayMs: 1000 });
    t.fail('alice', 0);
    expect(t.retryAfterMs('ALICE', 10)).toBe(990);
    expect(t.retryAfterMs('bob', 10)).toBe(0);
    t.succeed('Alice');
    expect(t.retryAfterMs('alice', 10)).toBe(0);
  });

  it('forgets old failures and stays bounded', () => {
    const t = new LoginThrottle({ freeFailures: 1, baseDelayMs: 1000, forgetAfterMs: 60_000, maxEntries: 3 });
    t.fail('a', 0);
    t.fail('a', 0);
    expect(t.retryAfterMs('a', 500)).toBe(500);
    expect(t.fail('a', 120_000)).toBe(0); // counted afresh
    for (const name of ['b', 'c', 'd']) t.fail(name, 120_000);
    t.fail('b', 120_000);
    // 'a' was the oldest entry and was evicted; 'b' is locked.
    expect(t.fail('a', 120_001)).toBe(0);
    expect(t.retryAfterMs('b', 120_000)).toBe(1000);
  });
});
