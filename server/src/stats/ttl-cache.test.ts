import { describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('shares a value within the ttl, recomputes after, and forgets failures', async () => {
    vi.useFakeTimers();
    try {
      const cache = new TtlCache<number>(1000);
      let calls = 0;
      const compute = async () => ++calls;
      const [a, b] = await Promise.all([cache.get('k', compute), cache.get('k', compute)]);
      expect([a, b, calls]).toEqual([1, 1, 1]);
      expect(await cache.get('other', compute)).toBe(2);
      vi.advanceTimersByTime(1001);
      expect(await cache.get('k', compute)).toBe(3);
      await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
      expect(await cache.get('bad', compute)).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
