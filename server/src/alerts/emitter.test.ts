import type { Alert } from '@gridwatch/devices';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertEmitter } from './emitter.ts';

const anAlert = (count: number) => ({ id: 'a1', count }) as Alert;

describe('AlertEmitter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends new and significant changes at once, throttles repeats with the latest last', () => {
    const sent: Array<[number, string]> = [];
    const e = new AlertEmitter(
      (a, change) => sent.push([a.count, change]),
      1000,
      () => Date.now(),
    );
    e.emit(anAlert(1), 'new', true);
    for (let n = 2; n <= 20; n++) e.emit(anAlert(n), 'update', false);
    expect(sent).toEqual([[1, 'new']]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([
      [1, 'new'],
      [20, 'update'],
    ]);
    e.emit(anAlert(21), 'update', false);
    e.emit(anAlert(22), 'update', true);
    vi.advanceTimersByTime(5000);
    expect(sent.slice(2)).toEqual([[22, 'update']]);
    e.stop();
  });
});
