import { randomBytes } from 'node:crypto';
import type { DeviceKind } from '@gridwatch/devices';

/**
 * The bench fleet: a district-like mix (cameras are the most numerous links, then e-bike
 * chargers in compounds, then service lockers). Ids carry a per-run prefix so a bench
 * never collides with tests sharing the broker and can clean up exactly what it made.
 */
export interface BenchDevice {
  id: string;
  kind: DeviceKind;
}

export const FLEET_MIX: ReadonlyArray<readonly [DeviceKind, number]> = [
  ['camera', 0.45],
  ['charger', 0.4],
  ['locker', 0.15],
];

const SHORT: Record<DeviceKind, string> = { camera: 'cam', charger: 'chg', locker: 'lck' };

export function benchRunId(): string {
  return `bn${randomBytes(3).toString('hex')}`;
}

/** Deterministic for a given prefix and size, so separate processes rebuild the same list. */
export function benchFleet(prefix: string, size: number): BenchDevice[] {
  const out: BenchDevice[] = [];
  let assigned = 0;
  FLEET_MIX.forEach(([kind, share], i) => {
    const n = i === FLEET_MIX.length - 1 ? size - assigned : Math.round(size * share);
    for (let k = 1; k <= n; k++)
      out.push({ id: `${prefix}-${SHORT[kind]}-${String(k).padStart(5, '0')}`, kind });
    assigned += n;
  });
  return out;
}

/** Small deterministic generator, so payloads vary without costing the publisher much. */
function wobble(seq: number, scale: number): number {
  return (((seq * 2654435761) % 1000) / 1000) * scale;
}

/**
 * One telemetry payload valid against the catalogue. `ts` is the publish time: the bench
 * reads it back from the database to compute publish-to-commit latency.
 */
export function telemetryPayload(kind: DeviceKind, ts: number, seq: number): Record<string, unknown> {
  switch (kind) {
    case 'camera':
      return {
        ts,
        seq,
        fps: 25,
        bitrateKbps: 4000 + Math.round(wobble(seq, 200)),
        storageUsedPct: 62.5,
        temperatureC: 38 + wobble(seq, 2),
        peopleCount: Math.round(wobble(seq, 30)),
      };
    case 'charger':
      return {
        ts,
        seq,
        voltageV: 220 + wobble(seq, 4),
        currentA: 6.2,
        powerKw: 1.36,
        energyKwh: 1000 + seq / 100,
        temperatureC: 31 + wobble(seq, 3),
        leakageMa: 2.1,
        ports: [
          { port: 1, state: 'charging', currentA: 2.1, temperatureC: 33 },
          { port: 2, state: 'charging', currentA: 1.9, temperatureC: 32 },
          { port: 3, state: 'idle', currentA: 0 },
          { port: 4, state: 'full', currentA: 0.1 },
        ],
      };
    case 'locker':
      return {
        ts,
        seq,
        doorsOpen: 0,
        compartmentsUsed: 31 + (seq % 5),
        compartmentsTotal: 48,
        coldTempC: 4 + wobble(seq, 1),
        mainsPower: true,
        batteryPct: 100,
      };
  }
}

/** A low-severity event, sent now and then as real devices do; raises at most a warning or minor alert. */
export function eventPayload(kind: DeviceKind, ts: number, seq: number): Record<string, unknown> {
  switch (kind) {
    case 'camera':
      return { ts, seq, type: 'loitering' };
    case 'charger':
      return { ts, seq, type: 'weak-signal' };
    case 'locker':
      return { ts, seq, type: 'scanner-fault' };
  }
}
