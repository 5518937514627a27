import { describe, expect, it } from 'vitest';
import { generateDistrict } from '../district/generate.ts';
import { generateFleet } from '../fleet/generate.ts';
import { createModel } from '../models/create.ts';
import { ALL_FAULTS } from '../models/faults.ts';
import { shanghaiHour } from '../models/rhythm.ts';
import { createRng } from '../rng.ts';
import { acceleratedStart, createClock } from './clock.ts';
import { FaultScheduler } from './fault-scheduler.ts';

const fleet = generateFleet(generateDistrict());
const models = fleet.map((d) => createModel(d, 1));
const DAY = 86_400_000;

describe('simulated clock', () => {
  it.each([
    [1, 600, 0],
    [10, 600, 540_000],
    [60, 120, 118_000],
  ])(
    'at ×%d for %d simulated s starts %d ms in the past and ends at the real end',
    (speed, simS, behindMs) => {
      const wall = { t: 1_000_000 };
      const start = acceleratedStart(wall.t, simS, speed);
      expect(wall.t - start).toBe(behindMs);
      const clock = createClock({ speed, startAt: start, wallNow: () => wall.t });
      wall.t += (simS * 1000) / speed;
      expect(clock.now()).toBeCloseTo(wall.t, 6);
      expect(clock.realDelay(clock.now() + speed * 1000)).toBeCloseTo(1000, 6);
    },
  );
});

describe('fault scheduler', () => {
  it('draws faults at the catalogue rates over a simulated day, each on a device that fits', () => {
    const start = Date.UTC(2026, 10, 29, 16); // midnight in Shanghai
    const scheduler = new FaultScheduler(models, createRng(7), 1, start);
    const planned = scheduler.due(start + DAY);
    const expected = ALL_FAULTS.reduce((sum, f) => {
      let perDay = 0;
      for (let h = 0; h < 24; h++) perDay += f.ratePerHour * f.hourFactor(h + 0.5);
      return sum + perDay * (f.id === 'fire-risk' ? 2 : 1);
    }, 0);
    expect(planned.length).toBeGreaterThan(expected * 0.85);
    expect(planned.length).toBeLessThan(expected * 1.15);
    const byId = new Map(models.map((m) => [m.device.id, m]));
    for (const f of planned) {
      expect(f.at).toBeGreaterThanOrEqual(start);
      expect(byId.get(f.deviceId)!.accepts(f.faultId)).toBe(true);
    }
    // Fire risks pair a charger and a camera of one compound, the smoke a minute or two later.
    const fires = planned.filter((f) => f.origin === 'fire-risk');
    expect(fires.length).toBeGreaterThan(10);
    for (let i = 0; i < fires.length; i += 2) {
      const [heat, smoke] = [fires[i]!, fires[i + 1]!];
      expect(heat.faultId).toBe('charger-overheat');
      expect(smoke.faultId).toBe('camera-smoke');
      expect(byId.get(heat.deviceId)!.device.site).toBe(byId.get(smoke.deviceId)!.device.site);
      expect(smoke.at - heat.at).toBeGreaterThanOrEqual(60_000);
    }
    // Lockers are left open by day rather than at night.
    const doors = planned.filter((f) => f.faultId === 'locker-door-left-open').map((f) => shanghaiHour(f.at));
    expect(doors.filter((h) => h >= 8 && h < 20).length).toBeGreaterThan(doors.length / 2);
  });
});
