import { describe, expect, it } from 'vitest';
import { parseRetention, retentionCutoff } from './retention.ts';

describe('parseRetention', () => {
  it('reads type=days pairs', () => {
    expect([...parseRetention('alert=365, case=1825')]).toEqual([
      ['alert', 365],
      ['case', 1825],
    ]);
  });
  it('is empty when unset', () => {
    expect(parseRetention(undefined).size).toBe(0);
    expect(parseRetention('').size).toBe(0);
  });
  it.each(['alert', 'alert=-1', 'alert=ten', 'Alert=1', 'a=1;b=2'])('refuses %j', (spec) => {
    expect(() => parseRetention(spec)).toThrow(/ownerType=days/);
  });
});

describe('retentionCutoff', () => {
  const now = new Date('2026-12-05T00:00:00Z');
  it('counts whole days back from now', () => {
    expect(retentionCutoff(30, now)?.toISOString()).toBe('2026-11-05T00:00:00.000Z');
  });
  it('keeps forever at 0', () => {
    expect(retentionCutoff(0, now)).toBeNull();
  });
});
