import { describe, expect, it } from 'vitest';
import { type DeviceIdentity, refusalReason } from './device-accounts.ts';

const aDevice = (over: Partial<DeviceIdentity> = {}): DeviceIdentity => ({
  id: 'chg-00001',
  kind: 'charger',
  ...over,
});

describe('refusalReason', () => {
  it.each([
    { device: aDevice(), reason: null },
    { device: aDevice({ id: 'a/b' }), reason: 'invalid device id' },
    { device: aDevice({ id: 'gw/#' }), reason: 'invalid device id' },
    { device: aDevice({ id: 'a:b' }), reason: 'invalid device id' },
    { device: aDevice({ id: '' }), reason: 'invalid device id' },
    { device: aDevice({ id: 'gridwatch-server' }), reason: 'id is reserved for an operator account' },
    { device: aDevice({ id: 'gw-admin' }), reason: 'id is reserved for an operator account' },
    { device: aDevice({ kind: 'toaster' as never }), reason: 'unknown kind "toaster"' },
  ])('$device.id ($device.kind) → $reason', ({ device, reason }) => {
    expect(refusalReason(device)).toBe(reason);
  });
});
