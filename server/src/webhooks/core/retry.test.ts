import { describe, expect, it } from 'vitest';
import { backoffMs, decide, parseRetryAfter, type RetryPolicy } from './retry.ts';

const policy: RetryPolicy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 10, deadAfterRefusals: 3 };

describe('backoffMs', () => {
  it.each([
    [1, 0, 500],
    [1, 0.999999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [6, 0, 16_000],
    [7, 0, 30_000],
    [30, 0.999999, 60_000],
  ])('attempt %i with random %f → %i ms', (attempt, random, expected) => {
    expect(backoffMs(attempt, policy, random)).toBe(expected);
  });
  it('never exceeds the maximum nor falls below half the doubled delay', () => {
    for (let attempt = 1; attempt < 40; attempt++) {
      for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
        const d = backoffMs(attempt, policy, r);
        const exp = Math.min(60_000, 1000 * 2 ** (attempt - 1));
        expect(d).toBeLessThanOrEqual(60_000);
        expect(d).toBeGreaterThanOrEqual(exp / 2);
      }
    }
  });
});

describe('decide', () => {
  it.each([200, 201, 202, 204, 299])('HTTP %i is delivered', (status) => {
    expect(decide(1, { status }, policy, 0)).toEqual({ action: 'delivered' });
  });
  it.each([408, 429, 500, 502, 503, 504])('HTTP %i is retried up to maxAttempts', (status) => {
    expect(decide(1, { status }, policy, 0)).toEqual({
      action: 'retry',
      delayMs: 500,
      reason: `HTTP ${status}`,
    });
    expect(decide(9, { status }, policy, 0).action).toBe('retry');
    expect(decide(10, { status }, policy, 0)).toEqual({
      action: 'dead',
      reason: `HTTP ${status} after 10 attempts`,
    });
  });
  it.each([400, 401, 403, 404, 410, 422, 301, 302])('HTTP %i is dead after deadAfterRefusals', (status) => {
    expect(decide(1, { status }, policy, 0).action).toBe('retry');
    expect(decide(2, { status }, policy, 0).action).toBe('retry');
    expect(decide(3, { status }, policy, 0)).toEqual({
      action: 'dead',
      reason: `HTTP ${status} after 3 attempts`,
    });
  });
  it('retries a network error like a server error', () => {
    expect(decide(2, { error: 'connect ECONNREFUSED' }, policy, 0)).toEqual({
      action: 'retry',
      delayMs: 1000,
      reason: 'connect ECONNREFUSED',
    });
    expect(decide(10, { error: 'timeout' }, policy, 0).action).toBe('dead');
  });
  it('waits at least Retry-After, capped at the maximum', () => {
    expect(decide(1, { status: 429, retryAfterS: 20 }, policy, 0)).toMatchObject({ delayMs: 20_000 });
    expect(decide(1, { status: 503, retryAfterS: 3600 }, policy, 0)).toMatchObject({ delayMs: 60_000 });
    expect(decide(5, { status: 429, retryAfterS: 1 }, policy, 0)).toMatchObject({ delayMs: 8000 });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 5 ', 5],
    ['Wed, 21 Oct 2026 07:28:00 GMT', null],
    [null, null],
    ['-1', null],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value)).toBe(expected);
  });
});
