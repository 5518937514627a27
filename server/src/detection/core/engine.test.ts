import { describe, expect, it } from 'vitest';
import { createEngineState, type DetectionInput, type DeviceMeta, type EngineState, step } from './engine.ts';
import { catalogueRuleSet } from './rule-set.ts';
import { aDevice } from './test-support.ts';
import type { Finding } from './types.ts';

const S = 1000;
const devices = new Map<string, DeviceMeta>(
  [
    aDevice('chg-1', 'charger', 'site-A', 'G1'),
    aDevice('chg-2', 'charger', 'site-A', 'G1'),
    aDevice('cam-1', 'camera', 'site-A', 'G1'),
    aDevice('cam-2', 'camera', 'site-B', 'G1'),
    aDevice('lck-1', 'locker', 'site-C', 'G2'),
  ].map((d) => [d.id, d]),
);
const rules = catalogueRuleSet(devices);

/** A timeline entry: engine time in seconds and an input; the reading/event ts is the same time. */
type Entry = [seconds: number, input: DetectionInput];
const reading =
  (deviceId: string, data: Record<string, number>) =>
  (s: number): Entry => [s, { type: 'reading', deviceId, ts: s * S, data }];
const temp = (deviceId: string, temperatureC: number) => reading(deviceId, { temperatureC, leakageMa: 0 });
const event =
  (deviceId: string, name: string) =>
  (s: number): Entry => [s, { type: 'event', deviceId, ts: s * S, event: name }];
const status =
  (deviceId: string, online: boolean, reason: string | null = null) =>
  (s: number): Entry => [s, { type: 'status', deviceId, at: s * S, online, reason }];
const tick = (s: number): Entry => [s, { type: 'tick' }];

function run(entries: Entry[], state: EngineState = createEngineState()) {
  const findings: Array<Finding & { t: number }> = [];
  for (const [s, input] of entries) {
    for (const f of step(state, input, rules, s * S).findings) findings.push({ ...f, t: s });
  }
  return { state, findings };
}
const brief = (fs: Array<Finding & { t: number }>) => fs.map((f) => `${f.action} ${f.cause} @${f.t}`);

/** Readings of one metric every `every` seconds from `from`. */
function series(make: (v: number) => (s: number) => Entry, values: number[], from = 0, every = 15): Entry[] {
  return values.map((v, i) => make(v)(from + i * every));
}

describe('threshold rules (charger-over-temperature: > 65 for 30 s, clear < 55 for 60 s)', () => {
  const t = (v: number) => temp('chg-1', v);
  it.each([
    {
      name: 'raises after forS, once',
      values: [70, 70, 70, 70, 70],
      expected: ['raise charger-over-temperature @30'],
    },
    { name: 'a dip below raiseAt restarts the duration', values: [70, 70, 60, 70, 70], expected: [] },
    { name: 'at exactly raiseAt is not beyond', values: [65, 65, 65, 65], expected: [] },
    {
      name: 'hysteresis: between clearAt and raiseAt never clears',
      values: [70, 70, 70, 60, 60, 60, 60, 60, 60, 60],
      expected: ['raise charger-over-temperature @30'],
    },
    {
      name: 'clears after clearForS below clearAt',
      values: [70, 70, 70, 50, 50, 50, 50, 50, 50],
      expected: ['raise charger-over-temperature @30', 'clear charger-over-temperature @105'],
    },
    {
      name: 'flapping around the threshold raises nothing',
      values: [70, 50, 70, 50, 70, 50, 70, 50, 70, 50],
      expected: [],
    },
    {
      name: 'flapping while active neither clears nor raises again',
      values: [70, 70, 70, 50, 70, 50, 70, 50, 70, 50, 70],
      expected: ['raise charger-over-temperature @30'],
    },
  ])('$name', ({ values, expected }) => {
    const { findings } = run(series(t, values));
    expect(brief(findings.filter((f) => f.cause === 'charger-over-temperature'))).toEqual(expected);
  });

  it('forS 0 raises on the first reading (charger-leakage-current)', () => {
    const { findings } = run([reading('chg-1', { temperatureC: 30, leakageMa: 45 })(0)]);
    expect(findings).toMatchObject([
      {
        action: 'raise',
        cause: 'charger-leakage-current',
        severity: 'critical',
        deviceId: 'chg-1',
        value: 45,
      },
    ]);
  });

  it('below-direction rules (locker-battery-low: < 20 for 60 s, clear > 30 for 60 s)', () => {
    const b = (v: number) => reading('lck-1', { batteryPct: v, coldTempC: 4 });
    const { findings } = run(series(b, [15, 15, 15, 25, 25, 35, 35, 35], 0, 30));
    expect(brief(findings)).toEqual(['raise locker-battery-low @60', 'clear locker-battery-low @210']);
  });
});

describe('rate rules (charger-temperature-rising: 10 °C/min over 60 s)', () => {
  it.each([
    {
      name: 'a steady 12 °C/min rise raises once',
      values: [30, 33, 36, 39, 42, 45],
      expected: ['raise @30'],
    },
    { name: 'a 6 °C/min rise raises nothing', values: [30, 31.5, 33, 34.5, 36, 37.5], expected: [] },
    { name: 'one jump inside half a window is not a rate', values: [30, 40], expected: [] },
  ])('$name', ({ values, expected }) => {
    const { findings } = run(series((v) => temp('chg-1', v), values));
    expect(
      findings.filter((f) => f.cause === 'charger-temperature-rising').map((f) => `${f.action} @${f.t}`),
    ).toEqual(expected);
  });

  it('clears 120 s after the last exceedance, on the clock tick', () => {
    const entries = [
      ...series((v) => temp('chg-1', v), [30, 33, 36, 39, 40, 40, 40]),
      tick(100),
      tick(179),
      tick(180),
    ];
    const { findings } = run(entries.sort((a, b) => a[0] - b[0]));
    expect(brief(findings.filter((f) => f.cause === 'charger-temperature-rising'))).toEqual([
      'raise charger-temperature-rising @30',
      'clear charger-temperature-rising @180',
    ]);
  });
});

describe('silence and last will (charger reports every 15 s; offline after 3 intervals)', () => {
  it.each([
    {
      name: 'no report for 45 s is offline, once; a report clears it',
      entries: [
        temp('chg-1', 30)(0),
        tick(40),
        tick(46),
        tick(60),
        tick(120),
        temp('chg-1', 30)(130),
        tick(140),
      ],
      expected: ['raise charger-offline @46', 'clear charger-offline @130'],
    },
    {
      name: 'regular reports keep it online',
      entries: [...series((v) => temp('chg-1', v), [30, 30, 30, 30, 30]), tick(20), tick(50), tick(70)].sort(
        (a, b) => a[0] - b[0],
      ),
      expected: [],
    },
    {
      name: 'the last will raises at once; online status clears',
      entries: [
        temp('chg-1', 30)(0),
        status('chg-1', false, 'last-will')(5),
        tick(10),
        tick(60),
        status('chg-1', true)(70),
      ],
      expected: ['raise charger-offline @5', 'clear charger-offline @70'],
    },
    {
      name: 'a last will after silence already raised adds nothing',
      entries: [temp('chg-1', 30)(0), tick(50), status('chg-1', false, 'last-will')(55), tick(60)],
      expected: ['raise charger-offline @50'],
    },
    {
      name: 'a device never heard of is not declared offline',
      entries: [tick(0), tick(1000)],
      expected: [],
    },
  ])('$name', ({ entries, expected }) => {
    expect(brief(run(entries).findings)).toEqual(expected);
  });

  it('the last will message says so', () => {
    const { findings } = run([status('cam-1', false, 'last-will')(0)]);
    expect(findings[0]).toMatchObject({ cause: 'camera-offline', severity: 'major', deviceId: 'cam-1' });
    expect(findings[0]?.message).toContain('last will');
  });
});

describe('events that are alerts in themselves', () => {
  it.each([
    {
      name: 'forced open raises, and clears 900 s after the last one',
      entries: [
        event('lck-1', 'forced-open')(0),
        tick(800),
        event('lck-1', 'forced-open')(850),
        tick(1700),
        tick(1750),
      ],
      expected: [
        'raise locker-forced-open @0',
        'raise locker-forced-open @850',
        'clear locker-forced-open @1750',
      ],
    },
    {
      name: 'an event without clearAfterS stays raised',
      entries: [event('cam-1', 'disk-full')(0), tick(100_000)],
      expected: ['raise camera-disk-full @0'],
    },
    {
      name: 'an event with no rule raises nothing',
      entries: [event('cam-1', 'loitering')(0), tick(10)],
      expected: [],
    },
  ])('$name', ({ entries, expected }) => {
    expect(brief(run(entries).findings.filter((f) => !f.cause.endsWith('offline')))).toEqual(expected);
  });

  it('an unknown device is ignored', () => {
    expect(run([event('nobody', 'smoke')(0)]).findings).toEqual([]);
  });
});

describe('correlation (fire-risk: charger fault + camera smoke in one compound within 300 s)', () => {
  const fireRisk = (entries: Entry[]) => run(entries).findings.filter((f) => f.cause === 'fire-risk');

  it('over-temperature then camera smoke in the same compound is one critical incident naming both', () => {
    const entries = [...series((v) => temp('chg-1', v), [70, 70, 70, 70]), event('cam-1', 'smoke')(120)];
    const incidents = fireRisk(entries.sort((a, b) => a[0] - b[0]));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      action: 'raise',
      severity: 'critical',
      deviceId: 'chg-1',
      deviceIds: ['chg-1', 'cam-1'],
    });
    expect(incidents[0]?.message).toContain('cam-1');
  });

  it.each([
    {
      name: 'inside the window',
      entries: [event('chg-1', 'smoke')(0), event('cam-1', 'smoke')(299)],
      count: 1,
    },
    {
      name: 'camera first, charger second',
      entries: [event('cam-1', 'smoke')(0), event('chg-1', 'smoke')(60)],
      count: 1,
    },
    {
      name: 'outside the window',
      entries: [event('chg-1', 'smoke')(0), event('cam-1', 'smoke')(301)],
      count: 0,
    },
    {
      name: 'a different compound',
      entries: [event('chg-1', 'smoke')(0), event('cam-2', 'smoke')(10)],
      count: 0,
    },
    {
      name: 'two chargers, no camera',
      entries: [event('chg-1', 'smoke')(0), event('chg-2', 'smoke')(10)],
      count: 0,
    },
    {
      name: 'repeated smoke adds no second incident',
      entries: [
        event('chg-1', 'smoke')(0),
        event('cam-1', 'smoke')(10),
        event('cam-1', 'smoke')(20),
        event('chg-1', 'smoke')(30),
      ],
      count: 1,
    },
    {
      name: 'a charger cause outside the rule does not count',
      entries: [event('chg-1', 'door-open')(0), event('cam-1', 'smoke')(10)],
      count: 0,
    },
  ])('$name', ({ entries, count }) => {
    expect(fireRisk(entries).filter((f) => f.action === 'raise')).toHaveLength(count);
  });

  it('a second charger joining the incident updates it with all devices', () => {
    const incidents = fireRisk([
      event('chg-1', 'smoke')(0),
      event('cam-1', 'smoke')(10),
      event('chg-2', 'smoke')(20),
    ]);
    expect(incidents.map((f) => f.deviceIds)).toEqual([
      ['chg-1', 'cam-1'],
      ['chg-1', 'cam-1', 'chg-2'],
    ]);
  });

  it('the incident clears a window after its last raise', () => {
    const incidents = fireRisk([
      event('chg-1', 'smoke')(0),
      event('cam-1', 'smoke')(10),
      tick(200),
      tick(311),
    ]);
    expect(incidents.map((f) => `${f.action} @${f.t}`)).toEqual(['raise @10', 'clear @311']);
  });
});

describe('restart in the middle of a condition', () => {
  const restore = (state: EngineState): EngineState => JSON.parse(JSON.stringify(state)) as EngineState;

  it.each([
    {
      name: 'threshold: half-way through forS, the raise comes once, on time',
      before: series((v) => temp('chg-1', v), [70, 70]),
      after: series((v) => temp('chg-1', v), [70, 70, 70], 30),
      expected: ['raise charger-over-temperature @30'],
    },
    {
      name: 'threshold: already raised, no second raise after restore',
      before: series((v) => temp('chg-1', v), [70, 70, 70]),
      after: series((v) => temp('chg-1', v), [70, 70], 45),
      expected: [],
    },
    {
      name: 'silence: the offline alert comes once, on time',
      before: [temp('chg-1', 30)(0), tick(30)],
      after: [tick(40), tick(46), tick(51)],
      expected: ['raise charger-offline @46'],
    },
    {
      name: 'timed clear survives the restart',
      before: [event('lck-1', 'forced-open')(0)],
      after: [tick(899), tick(900), tick(905)],
      expected: ['clear locker-forced-open @900'],
    },
    {
      name: 'correlation window survives the restart',
      before: [event('chg-1', 'smoke')(0)],
      after: [event('cam-1', 'smoke')(100)],
      expected: ['raise camera-smoke @100', 'raise fire-risk @100'],
    },
  ])('$name', ({ before, after, expected }) => {
    const first = run(before);
    const second = run(after, restore(first.state));
    expect(
      brief(
        second.findings.filter(
          (f) => !f.cause.endsWith('offline') || expected.some((e) => e.includes('offline')),
        ),
      ),
    ).toEqual(expected);
  });
});

describe('late readings', () => {
  it('a reading older than the newest one is ignored by threshold and rate rules', () => {
    const { findings } = run([
      temp('chg-1', 70)(100),
      temp('chg-1', 70)(55),
      temp('chg-1', 70)(70),
      temp('chg-1', 70)(130),
    ]);
    expect(brief(findings)).toEqual(['raise charger-over-temperature @130']);
  });
});
