import { CATALOGUE, type StatisticalRule } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { createEngineState, type DeviceMeta, type RuleSet, statParams, step } from './engine.ts';
import { catalogueRuleSet } from './rule-set.ts';
import { detectSeries, type Series } from './series.ts';
import { createStatState, stepStat } from './statistical.ts';
import { aDevice, poisson, seededRandom } from './test-support.ts';
import type { Finding } from './types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5); // a Monday

/** People passing a street camera: quiet at night, busy by day (mean per report). */
function peopleMean(t: number): number {
  const h = ((t - T0) % DAY) / HOUR;
  return 3 + 40 * Math.max(0, Math.sin((Math.PI * (h - 6)) / 15));
}

function engineRun(deviceId: string, points: Array<[number, Record<string, number>]>) {
  const devices = new Map<string, DeviceMeta>([
    [deviceId, aDevice(deviceId, deviceId.startsWith('cam') ? 'camera' : 'charger', 'site-1')],
  ]);
  const rules = catalogueRuleSet(devices);
  const state = createEngineState();
  const findings: Finding[] = [];
  for (const [t, data] of points) {
    findings.push(...step(state, { type: 'reading', deviceId, ts: t, data }, rules, t).findings);
  }
  return { findings: findings.filter((f) => f.cause.startsWith('unusual')), state };
}

function peopleSeries(days: number, seed: number, crowd?: { from: number; to: number; factor: number }) {
  const rnd = seededRandom(seed);
  const interval = CATALOGUE.camera.reportingIntervalS * 1000;
  const points: Array<[number, Record<string, number>]> = [];
  for (let t = T0; t < T0 + days * DAY; t += interval) {
    const factor = crowd && t >= crowd.from && t < crowd.to ? crowd.factor : 1;
    points.push([t, { peopleCount: poisson(peopleMean(t) * factor, rnd), fps: 25, temperatureC: 40 }]);
  }
  return points;
}

describe('statistical rule on simulated-looking series', () => {
  it.each([1, 2, 3])(
    'Poisson people counts with a daily rhythm over 5 days raise nothing (seed %i)',
    (seed) => {
      const { findings } = engineRun('cam-1', peopleSeries(5, seed));
      expect(findings).toEqual([]);
    },
  );

  it('a 5× crowd on day 6 raises once, then clears', () => {
    const from = T0 + 5 * DAY + 14 * HOUR;
    const to = from + 20 * MIN;
    const { findings } = engineRun('cam-1', peopleSeries(7, 4, { from, to, factor: 5 }));
    expect(findings.map((f) => f.action)).toEqual(['raise', 'clear']);
    const [raised, cleared] = findings as [Finding, Finding];
    expect(raised.at).toBeGreaterThanOrEqual(from);
    expect(raised.at).toBeLessThan(from + 5 * MIN);
    expect(raised).toMatchObject({ cause: 'unusual-people-count', severity: 'warning', deviceId: 'cam-1' });
    expect(cleared.at).toBeGreaterThanOrEqual(to);
  });

  it('e-bike charging current (ports plugged in and out, evening peak) over 5 days raises nothing', () => {
    const rnd = seededRandom(7);
    const interval = CATALOGUE.charger.reportingIntervalS * 1000;
    let charging = 2;
    const points: Array<[number, Record<string, number>]> = [];
    for (let t = T0; t < T0 + 5 * DAY; t += interval) {
      const h = ((t - T0) % DAY) / HOUR;
      const target = h >= 18 || h < 7 ? 8 : 3;
      // Sessions start and end a few times an hour.
      if (rnd() < 0.01) charging += charging < target ? 1 : -1;
      charging = Math.max(0, Math.min(10, charging));
      const currentA = charging * 2.1 + (rnd() - 0.5) * 0.4;
      points.push([t, { currentA: Math.max(0, currentA), temperatureC: 30, leakageMa: 1 }]);
    }
    expect(engineRun('chg-1', points).findings).toEqual([]);
  });

  it('state stays the same size however long the series (constant memory)', () => {
    const size = (days: number) => JSON.stringify(engineRun('cam-1', peopleSeries(days, 9)).state).length;
    // Once every hour-of-week slot has been seen, the state stops growing.
    const week = size(8);
    const fortnight = size(15);
    expect(fortnight).toBeLessThan(week * 1.1);
  });
});

describe('statistical detector behaviour', () => {
  const params = statParams({});
  const noisy = (n: number, seed: number, f: (i: number, noise: number) => number) => {
    const rnd = seededRandom(seed);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = T0 + i * 5 * MIN;
      values[i] = f(i, rnd() - 0.5);
    }
    return { labels: [...times].map(String), times, values } satisfies Series;
  };
  const raisesAt = (s: Series) => [...detectSeries(s, params).alerts].flatMap((a, i) => (a ? [i] : []));

  it.each([
    { name: 'flat line', series: noisy(3000, 1, () => 45), expected: [] as number[] },
    { name: 'white noise', series: noisy(3000, 2, (_, e) => 50 + 10 * e), expected: [] },
    {
      name: 'one spike far beyond the noise',
      series: noisy(3000, 3, (i, e) => 50 + 2 * e + (i === 2000 ? 40 : 0)),
      expected: [2000],
    },
    {
      name: 'a lasting level shift raises once',
      series: noisy(3000, 4, (i, e) => 50 + 2 * e + (i >= 2000 ? 15 : 0)),
      expected: [2000],
    },
    {
      name: 'nothing during warm-up',
      series: noisy(500, 5, (i, e) => 50 + 2 * e + (i === 100 ? 40 : 0)),
      expected: [],
    },
  ])('$name', ({ series, expected }) => {
    expect(raisesAt(series)).toEqual(expected);
  });

  it('minDeviation stops a statistically unusual but small change', () => {
    const s = noisy(3000, 3, (i, e) => 50 + 0.2 * e + (i === 2000 ? 4 : 0));
    expect([...detectSeries(s, statParams({ minDeviation: 0 })).alerts].filter(Boolean)).toHaveLength(1);
    expect([...detectSeries(s, statParams({ minDeviation: 5 })).alerts].filter(Boolean)).toHaveLength(0);
  });

  it('scores are in [0, 1] and ignore out-of-order samples', () => {
    const s = noisy(2000, 6, (i, e) => 50 + 5 * e + (i % 500 === 0 ? 60 : 0));
    const { scores } = detectSeries(s, params);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...scores)).toBeLessThanOrEqual(1);
    const state = createStatState();
    stepStat(state, params, T0 + HOUR, 1);
    const before = JSON.stringify(state);
    expect(stepStat(state, params, T0, 1000).raise).toBe(false);
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('series the dev set does not have', () => {
  const params = statParams({});
  const FIVE_MIN = 5 * MIN;
  const gauss = (rnd: () => number) =>
    Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const alertsOf = (values: number[]) => {
    const times = Float64Array.from(values, (_, i) => T0 + i * FIVE_MIN);
    const series: Series = { labels: [...times].map(String), times, values: Float64Array.from(values) };
    return [...detectSeries(series, params).alerts].flatMap((a, i) => (a ? [i] : []));
  };

  /** A machine temperature: slow AR(1) wander and a small daily cycle; optionally a slow
   * fall of `drop` degrees over two days ending at `failAt`, then a failure. */
  const machine = (days: number, seed: number, failAt?: number, drop = 12) => {
    const rnd = seededRandom(seed);
    const values: number[] = [];
    let ar = 0;
    for (let i = 0; i < days * 288; i++) {
      ar = 0.95 * ar + 0.4 * gauss(rnd);
      let v = 75 + ar + 1.5 * Math.sin((2 * Math.PI * i) / 288);
      if (failAt !== undefined && i > failAt - 576 && i <= failAt)
        v -= drop * ((i - (failAt - 576)) / 576) ** 2;
      if (failAt !== undefined && i > failAt) v = 50 + ar;
      values.push(v);
    }
    return values;
  };

  /** Mentions counted every 5 minutes: a daily rhythm, over-dispersed noise, and bursts of
   * every size (a few a day) that decay over half an hour; `giants` are the anomalies. */
  const bursty = (days: number, seed: number, giants: number[] = []) => {
    const rnd = seededRandom(seed);
    const values: number[] = [];
    let burst = 0;
    for (let i = 0; i < days * 288; i++) {
      const tod = (i % 288) / 288;
      if (rnd() < 1 / 150) burst += 20 * Math.exp(Math.log(2) + 0.7 * gauss(rnd));
      if (giants.includes(i)) burst += 20 * 25;
      const mean =
        (20 * (1 + 0.6 * Math.sin(2 * Math.PI * (tod - 0.3))) + burst) * Math.exp(0.25 * gauss(rnd));
      burst *= 0.75;
      values.push(poisson(mean, rnd));
    }
    return values;
  };

  it.each([1, 2, 3])(
    'a slow drift of a machine temperature towards failure raises before it fails (seed %i)',
    (seed) => {
      const failAt = 30 * 288;
      const alerts = alertsOf(machine(40, seed, failAt));
      const early = alerts.filter((i) => i > failAt - 576 && i <= failAt);
      expect(early.length, `alerts at ${alerts.join(', ')}`).toBeGreaterThan(0);
    },
  );

  it.each([1, 2, 3])(
    'the same machine without a fault: at most one alert in 37 days after its first three (seed %i)',
    (seed) => {
      const alerts = alertsOf(machine(40, seed)).filter((i) => i >= 3 * 288);
      expect(alerts.length, `alerts at ${alerts.join(', ')}`).toBeLessThanOrEqual(1);
    },
  );

  it('55 days of bursty counts: every giant burst raises, and ordinary bursts stay rare', () => {
    const giants = [20 * 288 + 100, 35 * 288 + 200, 48 * 288 + 50];
    const alerts = alertsOf(bursty(55, 5, giants));
    for (const g of giants)
      expect(
        alerts.filter((i) => i >= g && i < g + 12),
        `giant at ${g}`,
      ).toHaveLength(1);
    // Records get rarer as the history grows: after the first week, fewer than one
    // alert in ten days besides the giants.
    const others = alerts.filter((i) => i > 7 * 288 && !giants.some((g) => i >= g && i < g + 12));
    expect(others.length, `other alerts at ${others.join(', ')}`).toBeLessThanOrEqual(4);
  });
});

describe('the CLI agrees with the engine', () => {
  it('alert is 1 exactly where the engine raises a statistical rule with default parameters', () => {
    const rule: StatisticalRule = {
      id: 'series-unusual',
      type: 'statistical',
      metric: 'value',
      severity: 'warning',
    };
    const device = aDevice('cam-x', 'camera');
    const rules: RuleSet = {
      ...catalogueRuleSet(new Map()),
      kinds: { ...catalogueRuleSet(new Map()).kinds, camera: { rules: [rule], reportingIntervalS: 300 } },
      device: (id) => (id === device.id ? device : undefined),
    };
    const rnd = seededRandom(11);
    const n = 6000;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = T0 + i * 5 * MIN;
      const h = (i % 288) / 12;
      values[i] =
        20 +
        10 * Math.sin((Math.PI * h) / 12) +
        3 * (rnd() - 0.5) +
        (rnd() < 0.002 ? 30 : 0) +
        (i > 4000 ? 8 : 0);
    }
    const series: Series = { labels: [...times].map(String), times, values };
    const cli = [...detectSeries(series, statParams({})).alerts].flatMap((a, i) => (a ? [times[i]] : []));

    const state = createEngineState();
    const engine: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = times[i] as number;
      const input = {
        type: 'reading',
        deviceId: device.id,
        ts: t,
        data: { value: values[i] as number },
      } as const;
      for (const f of step(state, input, rules, t).findings) if (f.action === 'raise') engine.push(f.at);
    }
    expect(engine.length).toBeGreaterThan(0);
    expect(cli).toEqual(engine);
  });
});
