import { CATALOGUE, type ChargerTelemetry, type DeviceKind } from '@gridwatch/devices';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { generateDistrict } from '../district/generate.ts';
import { generateFleet } from '../fleet/generate.ts';
import type { SimDevice } from '../fleet/types.ts';
import { createModel } from './create.ts';
import { estimateAlertRate, FAULTS } from './faults.ts';
import type { Outgoing } from './model.ts';

const fleet = generateFleet(generateDistrict());
const sample = (kind: DeviceKind, n: number) => fleet.filter((d) => d.kind === kind).slice(0, n);
/** 2026-11-30 00:00 in Shanghai. */
const MIDNIGHT_SH = Date.UTC(2026, 10, 29, 16, 0, 0);
const at = (hour: number) => MIDNIGHT_SH + hour * 3_600_000;

/** Runs a device for `hours` from `start`, injecting `faults` at their offsets (minutes). */
function simulate(device: SimDevice, start: number, hours: number, faults: Array<[number, string]> = []) {
  const model = createModel(device, 1);
  const out: Array<Outgoing & { at: number }> = [];
  const step = model.intervalS * 1000;
  const pending = [...faults];
  for (let t = start; t < start + hours * 3_600_000; t += step) {
    while (pending.length && start + pending[0]![0] * 60_000 <= t) {
      const effect = model.inject(pending.shift()![1], t);
      for (const e of effect?.events ?? []) out.push({ channel: 'event', payload: e, at: t });
    }
    for (const o of model.report(t)) out.push({ ...o, at: t });
  }
  return out;
}

const telemetryAt = (out: ReturnType<typeof simulate>, hour: number, start: number) =>
  out.filter((o) => o.channel === 'telemetry' && Math.abs(o.at - start - hour * 3_600_000) < 20 * 60_000);

describe('device models', () => {
  it.each(['camera', 'charger', 'locker'] as const)(
    '%s payloads are valid against the catalogue over a day with faults',
    (kind) => {
      const spec = CATALOGUE[kind];
      const telemetry = Compile(spec.schemas.telemetry);
      const event = Compile(spec.schemas.event);
      const faults = FAULTS.filter((f) => f.kind === kind).map((f, i): [number, string] => [
        30 + i * 50,
        f.id,
      ]);
      let checked = 0;
      for (const device of sample(kind, 4)) {
        const out = simulate(device, at(0), 24, faults);
        for (const o of out) {
          const validator = o.channel === 'telemetry' ? telemetry : event;
          if (!validator.Check(o.payload)) throw new Error(`${device.id} ${JSON.stringify(o.payload)}`);
          checked++;
        }
        // seq strictly increases across telemetry and events
        const seqs = out.map((o) => o.payload.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
      }
      expect(checked).toBeGreaterThan(1000);
    },
  );

  it('follows Shanghai rhythms: rush hour crowds, night charging, lockers full by late afternoon', () => {
    const cams = sample('camera', 3000)
      .filter((d) => d.kind === 'camera' && d.attributes.placement === 'road')
      .slice(0, 12);
    const people = (h: number) =>
      cams.reduce((a, d) => {
        const rows = telemetryAt(simulate(d, at(h - 0.5), 1), 0.5, at(h - 0.5));
        return (
          a + rows.reduce((s, r) => s + (r.payload as { peopleCount: number }).peopleCount, 0) / rows.length
        );
      }, 0);
    expect(people(8)).toBeGreaterThan(2 * people(3));
    expect(people(18)).toBeGreaterThan(2 * people(3));

    const ebikes = fleet
      .filter((d) => d.kind === 'charger' && d.attributes.chargerType === 'ebike')
      .slice(0, 12);
    const days = ebikes.map((d) => simulate(d, at(0), 24));
    const current = (h: number) =>
      days.reduce((a, out) => {
        const rows = telemetryAt(out, h, at(0));
        return a + rows.reduce((s, r) => s + (r.payload as ChargerTelemetry).currentA, 0) / rows.length;
      }, 0);
    expect(current(23)).toBeGreaterThan(1.5 * current(14));

    const lockerDays = sample('locker', 10).map((d) => simulate(d, at(0), 24));
    const used = (h: number) =>
      lockerDays.reduce((a, out) => {
        const rows = telemetryAt(out, h, at(0));
        return (
          a +
          rows.reduce((s, r) => s + (r.payload as { compartmentsUsed: number }).compartmentsUsed, 0) /
            rows.length
        );
      }, 0);
    expect(used(16.5)).toBeGreaterThan(1.5 * used(6));
  }, 60_000);

  it('an overheating charger stays above 65 °C for more than 30 s and says so', () => {
    const charger = fleet.find((d) => d.kind === 'charger' && d.attributes.chargerType === 'ebike')!;
    const out = simulate(charger, at(22), 0.5, [[5, 'charger-overheat']]);
    const hot = out.filter(
      (o) => o.channel === 'telemetry' && (o.payload as ChargerTelemetry).temperatureC > 65,
    );
    expect(hot.length).toBeGreaterThanOrEqual(4);
    expect(hot.at(-1)!.at - hot[0]!.at).toBeGreaterThan(30_000);
    const before = out.filter((o) => o.channel === 'telemetry' && o.at < at(22) + 5 * 60_000);
    expect(before.every((o) => (o.payload as ChargerTelemetry).temperatureC < 55)).toBe(true);
    expect(
      out.some((o) => o.channel === 'event' && (o.payload as { type: string }).type === 'over-temperature'),
    ).toBe(true);
  });

  it('normal operation stays clear of every threshold rule', () => {
    for (const kind of ['camera', 'charger', 'locker'] as const) {
      const rules = CATALOGUE[kind].rules.filter((r) => r.type === 'threshold');
      for (const device of sample(kind, 10)) {
        for (const o of simulate(device, at(0), 24)) {
          if (o.channel !== 'telemetry') continue;
          for (const rule of rules) {
            const v = (o.payload as unknown as Record<string, number>)[rule.metric]!;
            const beyond = rule.direction === 'above' ? v > rule.raiseAt : v < rule.raiseAt;
            if (beyond) throw new Error(`${device.id} ${rule.id}: ${v}`);
          }
        }
      }
    }
  }, 60_000);

  it('random fault rates give a believable alert stream for one district', () => {
    const e = estimateAlertRate(1);
    expect(e.perMinute).toBeGreaterThanOrEqual(1);
    expect(e.perMinute).toBeLessThanOrEqual(3);
    // A critical alert every few minutes: between one per 2 and one per 10 minutes.
    expect(1 / e.criticalPerMinute).toBeGreaterThan(2);
    expect(1 / e.criticalPerMinute).toBeLessThan(10);
  });
});
