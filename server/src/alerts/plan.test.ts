import { describe, expect, it } from 'vitest';
import type { Finding } from '../detection/core/types.ts';
import { alertKey, type DeviceInfo, planFindings } from './plan.ts';
import type { AlertRecord } from './record.ts';
import type { AckLimits } from './severity.ts';

const limits: AckLimits = { critical: 120, major: 600, minor: 1800, warning: 7200 };
const device: DeviceInfo = {
  id: 'chg-00001',
  kind: 'charger',
  site: 'site-0001',
  lon: 108.9,
  lat: 34.2,
  path: {
    district: 'D610104',
    street: 'D610104-S01',
    community: 'D610104-S01-C01',
    grid: 'D610104-S01-C01-G01',
  },
};
const devices = new Map([[device.id, device]]);

const aFinding = (over: Partial<Finding> = {}): Finding => ({
  action: 'raise',
  cause: 'charger-over-temperature',
  severity: 'major',
  deviceId: device.id,
  at: 1_000_000,
  message: '充电桩温度过高 over temperature',
  ...over,
});

function ids() {
  let n = 0;
  return () => `id-${++n}`;
}

describe('planFindings', () => {
  it('raises one alert with the device path and the severity limit', () => {
    const open = new Map<string, AlertRecord>();
    const plan = planFindings([aFinding()], open, devices, limits, ids());
    expect(plan.created).toHaveLength(1);
    const a = plan.created[0]!;
    expect(a).toMatchObject({
      id: 'id-1',
      state: 'active',
      count: 1,
      device_kind: 'charger',
      site: 'site-0001',
      street_id: 'D610104-S01',
      grid_id: 'D610104-S01-C01-G01',
      device_ids: ['chg-00001'],
    });
    expect(a.ack_due_at.getTime()).toBe(1_000_000 + 600_000);
    expect(plan.history.map((h) => h.action)).toEqual(['raised']);
    expect(open.get(alertKey(device.id, 'charger-over-temperature'))).toBe(a);
  });

  it('counts repeats on the same alert with one summary, not one row each', () => {
    const open = new Map<string, AlertRecord>();
    const findings = [1, 2, 3, 4, 5].map((i) => aFinding({ at: 1_000_000 + i * 1000, message: `m${i}` }));
    const plan = planFindings(findings, open, devices, limits, ids());
    expect(plan.created).toHaveLength(1);
    expect(plan.changed).toHaveLength(0);
    const a = plan.created[0]!;
    expect(a.count).toBe(5);
    expect(a.message).toBe('m5');
    expect(a.last_seen.getTime()).toBe(1_005_000);
    expect(plan.history.map((h) => h.action)).toEqual(['raised']);
    expect(plan.repeats.get(a.id)).toEqual({ at: a.last_seen, count: 5 });
  });

  it('escalates severity and pulls the due time earlier', () => {
    const open = new Map<string, AlertRecord>();
    planFindings([aFinding()], open, devices, limits, ids());
    const plan = planFindings(
      [aFinding({ severity: 'critical', at: 1_010_000 })],
      open,
      devices,
      limits,
      ids(),
    );
    const a = plan.changed[0]!;
    expect(a.severity).toBe('critical');
    expect(a.ack_due_at.getTime()).toBe(1_000_000 + 120_000);
    expect(plan.history.map((h) => [h.action, h.remark])).toEqual([['escalated', 'major → critical']]);
    expect(plan.significant.has(a.id)).toBe(true);
  });

  it.each([
    ['active', 'active', ['cleared']],
    ['acknowledged', 'resolved', ['cleared', 'resolved']],
  ] as const)('a clear on an %s alert leaves it %s', (state, expected, actions) => {
    const open = new Map<string, AlertRecord>();
    const [a] = planFindings([aFinding()], open, devices, limits, ids()).created;
    a!.state = state;
    const plan = planFindings([aFinding({ action: 'clear', at: 1_050_000 })], open, devices, limits, ids());
    expect(plan.changed).toEqual([a]);
    expect(a!.state).toBe(expected);
    expect(a!.cleared_at?.getTime()).toBe(1_050_000);
    expect(plan.history.map((h) => h.action)).toEqual(actions);
  });

  it('opens a new alert when the condition returns after auto-resolution', () => {
    const open = new Map<string, AlertRecord>();
    const [a] = planFindings([aFinding()], open, devices, limits, ids()).created;
    a!.state = 'acknowledged';
    const plan = planFindings(
      [aFinding({ action: 'clear', at: 1_050_000 }), aFinding({ at: 1_060_000 })],
      open,
      devices,
      limits,
      () => 'id-new',
    );
    expect(plan.changed.map((x) => x.state)).toEqual(['resolved']);
    expect(plan.created.map((x) => x.id)).toEqual(['id-new']);
  });

  it('a raise after a clear on an unacknowledged alert makes it live again', () => {
    const open = new Map<string, AlertRecord>();
    const [a] = planFindings([aFinding()], open, devices, limits, ids()).created;
    planFindings([aFinding({ action: 'clear', at: 1_050_000 })], open, devices, limits, ids());
    const plan = planFindings([aFinding({ at: 1_060_000 })], open, devices, limits, ids());
    expect(a!.cleared_at).toBeNull();
    expect(a!.count).toBe(2);
    expect(plan.significant.has(a!.id)).toBe(true);
  });

  it('ignores clears without an open alert and raises for unknown devices', () => {
    const open = new Map<string, AlertRecord>();
    const plan = planFindings(
      [aFinding({ action: 'clear' }), aFinding({ deviceId: 'cam-99999' })],
      open,
      devices,
      limits,
      ids(),
    );
    expect(plan.created).toHaveLength(0);
    expect(plan.changed).toHaveLength(0);
    expect(plan.unknownDevices).toEqual(['cam-99999']);
  });

  it('keeps every device of a correlated incident', () => {
    const open = new Map<string, AlertRecord>();
    const plan = planFindings(
      [
        aFinding({ cause: 'fire-risk', deviceIds: ['chg-00001', 'cam-00007'] }),
        aFinding({ cause: 'fire-risk', deviceIds: ['cam-00008'] }),
      ],
      open,
      devices,
      limits,
      ids(),
    );
    expect(plan.created[0]!.device_ids).toEqual(['chg-00001', 'cam-00007', 'cam-00008']);
  });
});
