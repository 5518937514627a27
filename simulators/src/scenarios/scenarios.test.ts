import { CAUSE_LABELS, ruleById } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { ALL_FAULTS } from '../models/faults.ts';
import { scenarioDevices } from './run.ts';
import { expectedAlerts, isAnticipated, loadScenario, scenarioNames } from './scenario.ts';

const faultIds = new Set(ALL_FAULTS.map((f) => f.id));

describe('scenario files', () => {
  it('include the five documented scenarios', () => {
    expect(scenarioNames()).toEqual(
      expect.arrayContaining([
        'fire-risk',
        'camera-offline',
        'locker-forced-open',
        'charger-leakage',
        'mixed',
      ]),
    );
  });

  it.each(scenarioNames())('%s is valid and refers to real devices, faults and causes', (name) => {
    const s = loadScenario(name);
    const devices = scenarioDevices(s);
    const ids = new Set(devices.map((d) => d.id));
    for (const step of s.steps) {
      expect(ids.has(step.device)).toBe(true);
      expect(faultIds.has(step.fault) || step.fault === 'camera-smoke').toBe(true);
      expect(step.atS).toBeLessThan(s.durationS);
    }
    expect(s.expect.length).toBeGreaterThan(0);
    for (const e of expectedAlerts(s)) {
      expect(ids.has(e.deviceId)).toBe(true);
      expect(CAUSE_LABELS[e.cause]).toBeDefined();
      expect(ruleById(e.cause)?.severity).toBe(e.severity);
    }
  });

  it('maps ids with a prefix for tests on a shared broker', () => {
    const devices = scenarioDevices('fire-risk', { idPrefix: 't-1a2b' });
    expect(devices.every((d) => d.id.startsWith('t-1a2b-'))).toBe(true);
    const fire = expectedAlerts('fire-risk', { idPrefix: 't-1a2b' }).find((e) => e.cause === 'fire-risk')!;
    expect(fire.deviceId).toBe('t-1a2b-chg-00069');
    const s = loadScenario('fire-risk');
    expect(
      isAnticipated(s, { cause: 'camera-smoke', deviceId: 't-1a2b-cam-00042' }, { idPrefix: 't-1a2b' }),
    ).toBe(true);
    expect(
      isAnticipated(s, { cause: 'camera-smoke', deviceId: 't-1a2b-cam-00466' }, { idPrefix: 't-1a2b' }),
    ).toBe(false);
  });

  it('fire-risk pairs a charger and a camera of the same compound', () => {
    const devices = scenarioDevices('fire-risk');
    const charger = devices.find((d) => d.id === 'chg-00069')!;
    const camera = devices.find((d) => d.id === 'cam-00042')!;
    expect(charger.site).toBe('site-0042');
    expect(camera.site).toBe(charger.site);
  });
});
