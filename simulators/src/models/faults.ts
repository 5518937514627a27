import type { DeviceKind, Severity } from '@gridwatch/devices';
import { ebikeOccupancy, gateActivity, streetActivity } from './rhythm.ts';

/** An alert a fault is expected to raise on the server (cause = rule id). */
export interface ExpectedCause {
  cause: string;
  severity: Severity;
  /** Raised only in some runs (e.g. a fault long enough for a second rule). */
  maybe?: boolean;
}

export interface FaultSpec {
  id: string;
  kind: DeviceKind;
  /** Occurrences per hour across one district (scale 1), before the hour factor. */
  ratePerHour: number;
  /** Multiplier by Shanghai hour; averages about 1 over a day. */
  hourFactor: (h: number) => number;
  alerts: ExpectedCause[];
}

const flat = () => 1;
const night = (h: number) => (h >= 22 || h < 6 ? 2 : 0.6);
const day = (h: number) => (h >= 8 && h < 20 ? 1.6 : 0.2);
const charging = (h: number) => ebikeOccupancy(h) * 2.5;

/**
 * Random faults at rates that give a district about 1–3 alerts a minute and a critical one
 * every few minutes (`npm run sim -- estimate` prints the sums). Rates are per district;
 * they scale with the fleet.
 */
export const FAULTS: FaultSpec[] = [
  {
    id: 'camera-offline',
    kind: 'camera',
    ratePerHour: 10,
    hourFactor: flat,
    alerts: [{ cause: 'camera-offline', severity: 'major' }],
  },
  {
    id: 'camera-video-loss',
    kind: 'camera',
    ratePerHour: 4,
    hourFactor: flat,
    alerts: [
      { cause: 'camera-video-loss', severity: 'major' },
      { cause: 'camera-low-fps', severity: 'minor', maybe: true },
    ],
  },
  {
    id: 'camera-tamper',
    kind: 'camera',
    ratePerHour: 5,
    hourFactor: night,
    alerts: [{ cause: 'camera-tamper', severity: 'major' }],
  },
  {
    id: 'camera-smoke',
    kind: 'camera',
    ratePerHour: 0.5,
    hourFactor: flat,
    alerts: [{ cause: 'camera-smoke', severity: 'critical' }],
  },
  {
    id: 'camera-intrusion',
    kind: 'camera',
    ratePerHour: 4,
    hourFactor: night,
    alerts: [{ cause: 'camera-intrusion', severity: 'major' }],
  },
  { id: 'camera-loitering', kind: 'camera', ratePerHour: 8, hourFactor: night, alerts: [] },
  {
    id: 'camera-crowd-density',
    kind: 'camera',
    ratePerHour: 3,
    hourFactor: (h) => streetActivity(h) * 2,
    alerts: [
      { cause: 'camera-crowd-density', severity: 'major' },
      { cause: 'unusual-people-count', severity: 'warning', maybe: true },
    ],
  },
  {
    id: 'camera-ebike-in-lift',
    kind: 'camera',
    ratePerHour: 8,
    hourFactor: (h) => gateActivity(h) * 2,
    alerts: [{ cause: 'camera-ebike-in-lift', severity: 'major' }],
  },
  {
    id: 'camera-disk-full',
    kind: 'camera',
    ratePerHour: 1,
    hourFactor: flat,
    alerts: [{ cause: 'camera-disk-full', severity: 'minor' }],
  },
  {
    id: 'charger-overheat',
    kind: 'charger',
    ratePerHour: 4,
    hourFactor: charging,
    alerts: [
      { cause: 'charger-over-temperature', severity: 'critical' },
      { cause: 'charger-temperature-rising', severity: 'major' },
    ],
  },
  {
    id: 'charger-leakage',
    kind: 'charger',
    ratePerHour: 2,
    hourFactor: charging,
    alerts: [
      { cause: 'charger-leakage', severity: 'critical' },
      { cause: 'charger-leakage-current', severity: 'critical' },
    ],
  },
  {
    id: 'charger-short-circuit',
    kind: 'charger',
    ratePerHour: 0.3,
    hourFactor: charging,
    alerts: [{ cause: 'charger-short-circuit', severity: 'critical' }],
  },
  {
    id: 'charger-over-current',
    kind: 'charger',
    ratePerHour: 3,
    hourFactor: charging,
    alerts: [
      { cause: 'charger-over-current', severity: 'major' },
      { cause: 'unusual-charging-current', severity: 'warning', maybe: true },
    ],
  },
  {
    id: 'charger-door-open',
    kind: 'charger',
    ratePerHour: 4,
    hourFactor: flat,
    alerts: [{ cause: 'charger-door-open', severity: 'minor' }],
  },
  { id: 'charger-door-lock-fault', kind: 'charger', ratePerHour: 1, hourFactor: flat, alerts: [] },
  { id: 'charger-meter-failure', kind: 'charger', ratePerHour: 0.5, hourFactor: flat, alerts: [] },
  { id: 'charger-weak-signal', kind: 'charger', ratePerHour: 6, hourFactor: flat, alerts: [] },
  { id: 'charger-under-voltage', kind: 'charger', ratePerHour: 2, hourFactor: charging, alerts: [] },
  {
    id: 'charger-power-loss',
    kind: 'charger',
    ratePerHour: 2,
    hourFactor: flat,
    alerts: [{ cause: 'charger-offline', severity: 'major' }],
  },
  {
    id: 'locker-door-left-open',
    kind: 'locker',
    ratePerHour: 6,
    hourFactor: day,
    alerts: [{ cause: 'locker-door-left-open', severity: 'minor' }],
  },
  {
    id: 'locker-forced-open',
    kind: 'locker',
    ratePerHour: 0.8,
    hourFactor: night,
    alerts: [{ cause: 'locker-forced-open', severity: 'critical' }],
  },
  { id: 'locker-lock-fault', kind: 'locker', ratePerHour: 1, hourFactor: flat, alerts: [] },
  { id: 'locker-scanner-fault', kind: 'locker', ratePerHour: 1, hourFactor: flat, alerts: [] },
  {
    id: 'locker-power-loss',
    kind: 'locker',
    ratePerHour: 0.8,
    hourFactor: flat,
    alerts: [{ cause: 'locker-power-loss', severity: 'major' }],
  },
  {
    id: 'locker-cold-fault',
    kind: 'locker',
    ratePerHour: 1,
    hourFactor: flat,
    alerts: [{ cause: 'locker-cold-too-warm', severity: 'minor' }],
  },
];

/**
 * A battery fire in the making: a charger overheats and, a minute or two later, a camera of
 * the same compound sees smoke. The server correlates both into one `fire-risk` incident.
 */
export const FIRE_RISK: FaultSpec = {
  id: 'fire-risk',
  kind: 'charger',
  ratePerHour: 1,
  hourFactor: charging,
  alerts: [
    { cause: 'fire-risk', severity: 'critical' },
    { cause: 'charger-over-temperature', severity: 'critical', maybe: true },
    { cause: 'charger-temperature-rising', severity: 'major', maybe: true },
    { cause: 'camera-smoke', severity: 'critical', maybe: true },
  ],
};

export const ALL_FAULTS: FaultSpec[] = [...FAULTS, FIRE_RISK];

export interface AlertRateEstimate {
  /** Alerts a minute, averaged over a day, counting `maybe` alerts as half. */
  perMinute: number;
  criticalPerMinute: number;
  byCause: Record<string, number>;
  /** Per hour of the day (Shanghai), alerts a minute. */
  byHour: number[];
}

/** What the fault rates should give, for `scale` districts. */
export function estimateAlertRate(scale = 1): AlertRateEstimate {
  const byCause: Record<string, number> = {};
  const byHour = Array.from({ length: 24 }, () => 0);
  let critical = 0;
  for (const f of ALL_FAULTS) {
    for (let h = 0; h < 24; h++) {
      const perMin = (f.ratePerHour * scale * f.hourFactor(h + 0.5)) / 60;
      for (const a of f.alerts) {
        const weight = a.maybe ? 0.5 : 1;
        byHour[h]! += perMin * weight;
        byCause[a.cause] = (byCause[a.cause] ?? 0) + (perMin * weight) / 24;
        if (a.severity === 'critical') critical += (perMin * weight) / 24;
      }
    }
  }
  const perMinute = byHour.reduce((a, b) => a + b, 0) / 24;
  return { perMinute, criticalPerMinute: critical, byCause, byHour };
}
