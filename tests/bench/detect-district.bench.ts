/**
 * The statistical detector as the server runs it, on the simulated district's own device
 * models: how many statistical alerts a day of normal running raises per 1,000
 * device-hours, and whether injected level shifts and drifts are caught — for the
 * current parameters and, side by side, the previous ones (fixed peak memory, no
 * new-territory channel).
 *
 *   npm run bench:detect-district [-- --cameras 200 --chargers 100 --days 9]
 *
 * Each device's model (simulators/src/models) reports at its catalogue interval for
 * `days` days from a Shanghai midnight; the first days warm the detector up (new territory
 * needs a week of history) and the last day is measured. The statistical rule of the device's kind runs through `stepStat` with
 * `statParams(rule, 480)`, exactly what the server's engine calls. On the measured day a
 * third of the cameras get the simulator's crowd fault (people ×3–5 for 3–8 minutes: a
 * level shift) and a third of the chargers get a drift added by this bench (total current
 * creeping up by 12 A over two hours, then holding for an hour: a port failing
 * progressively), at a random time between 08:00 and 20:00.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CATALOGUE, type StatisticalRule } from '@gridwatch/devices';
import { statParams } from '../../server/src/detection/core/engine.ts';
import { createStatState, type StatParams, stepStat } from '../../server/src/detection/core/statistical.ts';
import type { SimDevice } from '../../simulators/src/index.ts';
import { createModel, DEFAULT_SEED, generateDistrict, generateFleet } from '../../simulators/src/index.ts';

const { values: args } = parseArgs({
  options: {
    cameras: { type: 'string', default: '200' },
    chargers: { type: 'string', default: '100' },
    days: { type: 'string', default: '9' },
  },
});
const cameras = Number(args.cameras);
const chargers = Number(args.chargers);
const days = Number(args.days);
if (![cameras, chargers, days].every((n) => Number.isInteger(n) && n >= 0) || days < 2) {
  console.error('usage: --cameras N --chargers N --days D (integers, D ≥ 2)');
  process.exit(2);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHANGHAI_MIN = 480;
// 2026-11-02 00:00 in Shanghai, a Monday.
const START = Date.UTC(2026, 10, 1, 16);
const measuredFrom = START + (days - 1) * DAY;

const fleet = generateFleet(generateDistrict(DEFAULT_SEED), { scale: 1 });
const pick = (kind: SimDevice['kind'], n: number) => {
  const all = fleet.filter((d) => d.kind === kind);
  const step = Math.max(1, Math.floor(all.length / Math.max(1, n)));
  return all.filter((_, i) => i % step === 0).slice(0, n);
};
const devices = [...pick('camera', cameras), ...pick('charger', chargers)];

const statRule = (kind: SimDevice['kind']) =>
  CATALOGUE[kind].rules.find((r): r is StatisticalRule => r.type === 'statistical');

/** A small deterministic stream for the bench's own choices. */
function choices(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Tally {
  normalDeviceHours: number;
  normalAlerts: number;
  injected: number;
  caught: number;
}
const variants: Array<{ name: string; params: (rule: StatisticalRule) => StatParams }> = [
  { name: 'current', params: (rule) => statParams(rule, SHANGHAI_MIN) },
  {
    name: 'previous',
    params: (rule) => ({ ...statParams(rule, SHANGHAI_MIN), ageFactor: 0, extMargin: -1 }),
  },
];
const tallies = new Map<string, Record<string, Tally>>();
for (const v of variants) tallies.set(v.name, {});

const started = process.hrtime.bigint();
let reports = 0;
const pickFor = choices(7);
for (const [index, device] of devices.entries()) {
  const rule = statRule(device.kind);
  if (!rule) continue;
  const metric = rule.metric;
  // Two identical model instances, one per variant, so both see the same readings.
  const models = variants.map(() => createModel(device, DEFAULT_SEED));
  const states = variants.map(() => createStatState());
  const params = variants.map((v) => v.params(rule));
  const inject = index % 3 === 0;
  const at = measuredFrom + 8 * HOUR + pickFor() * 12 * HOUR;
  let drift: { from: number; to: number } | null = null;
  let crowd: { from: number; to: number } | null = null;
  const raisedOnMeasuredDay = variants.map(() => [] as number[]);
  const intervalMs = (models[0]?.intervalS ?? 60) * 1000;
  for (let t = START; t < START + days * DAY; t += intervalMs) {
    for (let k = 0; k < variants.length; k++) {
      const model = models[k];
      if (!model) continue;
      if (inject && k === 0 && t >= at && !crowd && !drift) {
        if (device.kind === 'camera') {
          // The simulator's own crowd fault; the second model gets it at the same moment.
          for (const m of models) m.inject('camera-crowd-density', t);
          crowd = { from: t, to: t + 8 * 60_000 };
        } else drift = { from: t, to: t + 3 * HOUR };
      }
      for (const out of model.report(t)) {
        if (out.channel !== 'telemetry') continue;
        let v = (out.payload as unknown as Record<string, unknown>)[metric];
        if (typeof v !== 'number') continue;
        if (drift && t >= drift.from && t < drift.to) v += 12 * Math.min(1, (t - drift.from) / (2 * HOUR));
        const r = stepStat(states[k] as ReturnType<typeof createStatState>, params[k] as StatParams, t, v);
        if (k === 0) reports++;
        if (r.raise && t >= measuredFrom) raisedOnMeasuredDay[k]?.push(t);
      }
    }
  }
  const fault = crowd ?? drift;
  for (const [k, v] of variants.entries()) {
    const byKind = tallies.get(v.name) as Record<string, Tally>;
    byKind[device.kind] ??= { normalDeviceHours: 0, normalAlerts: 0, injected: 0, caught: 0 };
    const tally = byKind[device.kind] as Tally;
    const raised = raisedOnMeasuredDay[k] ?? [];
    if (fault) {
      tally.injected++;
      if (raised.some((t) => t >= fault.from && t <= fault.to + 30 * 60_000)) tally.caught++;
    } else {
      tally.normalDeviceHours += 24;
      tally.normalAlerts += raised.length;
    }
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

console.log(
  `statistical alerts on the simulated district: ${devices.length} devices (${cameras} cameras, ${chargers} chargers), ${days} days from 2026-11-02 00:00 Shanghai, last day measured`,
);
for (const v of variants) {
  const byKind = tallies.get(v.name) as Record<string, Tally>;
  for (const [kind, t] of Object.entries(byKind)) {
    const what = kind === 'camera' ? 'crowd level shifts' : 'current drifts';
    console.log(
      `  ${v.name.padEnd(9)} ${kind.padEnd(8)} normal running: ${t.normalAlerts} alerts in ${t.normalDeviceHours.toLocaleString('en')} device-hours = ${((1000 * t.normalAlerts) / Math.max(1, t.normalDeviceHours)).toFixed(2)} per 1,000 device-hours; ${what} caught ${t.caught}/${t.injected}`,
    );
  }
}
console.log(
  `conditions: ${reports.toLocaleString('en')} reports per variant in ${seconds.toFixed(1)} s; node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores, shared, load average ${loadavg()[0]?.toFixed(1)}); rules ${devices.some((d) => d.kind === 'camera') ? JSON.stringify(statRule('camera')) : ''} ${devices.some((d) => d.kind === 'charger') ? JSON.stringify(statRule('charger')) : ''}`,
);
