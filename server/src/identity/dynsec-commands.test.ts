import { describe, expect, it } from 'vitest';
import type { DeviceIdentity } from './device-accounts.ts';
import {
  type DynsecCommand,
  deviceCommands,
  deviceRoleName,
  packCommands,
  readOutcome,
} from './dynsec-commands.ts';

const aDevice = (over: Partial<DeviceIdentity> = {}): DeviceIdentity => ({
  id: 'chg-00001',
  kind: 'charger',
  ...over,
});

describe('deviceCommands', () => {
  it.each([
    { device: aDevice(), topic: 'gw/charger/chg-00001/#' },
    { device: aDevice({ id: 'cam-00042', kind: 'camera' }), topic: 'gw/camera/cam-00042/#' },
    { device: aDevice({ id: 'lck_7', kind: 'locker' }), topic: 'gw/locker/lck_7/#' },
  ])('gives $device.id a role that may publish on $topic only', ({ device, topic }) => {
    const [role, client] = deviceCommands(device, 'secret-pw', 'tg');
    expect(role).toEqual({
      command: 'createRole',
      rolename: deviceRoleName(device.id),
      acls: [{ acltype: 'publishClientSend', topic, priority: 0, allow: true }],
      correlationData: `tg:role:${device.id}`,
    });
    expect(client).toMatchObject({
      command: 'createClient',
      username: device.id,
      password: 'secret-pw',
      roles: [{ rolename: deviceRoleName(device.id), priority: 0 }],
      correlationData: `tg:client:${device.id}`,
    });
  });
});

describe('packCommands', () => {
  const groups = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      deviceCommands(aDevice({ id: `chg-${String(i).padStart(5, '0')}` }), 'p'.repeat(32), 't'),
    );
  const size = (m: DynsecCommand[]) => Buffer.byteLength(JSON.stringify({ commands: m }));

  it.each([
    { devices: 0, maxBytes: 10_000, maxCommands: 100, messages: 0 },
    { devices: 1, maxBytes: 10_000, maxCommands: 100, messages: 1 },
    { devices: 50, maxBytes: 1_000_000, maxCommands: 20, messages: 5 },
    { devices: 50, maxBytes: 1_000_000, maxCommands: 21, messages: 5 },
    { devices: 1000, maxBytes: 96 * 1024, maxCommands: 400, messages: 5 },
    { devices: 300, maxBytes: 4096, maxCommands: 1000, messages: 0 /* by size */ },
  ])(
    '$devices devices, ≤ $maxBytes B and ≤ $maxCommands commands a message',
    ({ devices, maxBytes, maxCommands, messages }) => {
      const input = groups(devices);
      const packed = packCommands(input, { maxBytes, maxCommands });
      if (messages > 0) expect(packed).toHaveLength(messages);
      // Nothing lost, nothing reordered, limits kept, a device's role and client together.
      expect(packed.flat()).toEqual(input.flat());
      for (const m of packed) {
        expect(size(m)).toBeLessThanOrEqual(maxBytes);
        expect(m.length).toBeLessThanOrEqual(maxCommands);
        expect(m.length % 2).toBe(0);
        expect(m[0]!.command).toBe('createRole');
      }
      if (devices === 300) expect(packed.length).toBeGreaterThan(10);
    },
  );

  it('refuses a device whose commands alone exceed the limit', () => {
    expect(() => packCommands(groups(1), { maxBytes: 100, maxCommands: 10 })).toThrow(/size limit/);
  });
});

describe('readOutcome', () => {
  it.each([
    {
      name: 'created',
      responses: [
        { command: 'createRole', correlationData: 't:role:a' },
        { command: 'createClient', correlationData: 't:client:a' },
      ],
      outcome: { ready: ['a'], created: ['a'], failed: [] },
    },
    {
      name: 'already there',
      responses: [
        { command: 'createRole', error: 'Role already exists', correlationData: 't:role:a' },
        { command: 'createClient', error: 'Client already exists', correlationData: 't:client:a' },
      ],
      outcome: { ready: ['a'], created: [], failed: [] },
    },
    {
      name: 'client refused',
      responses: [
        { command: 'createRole', correlationData: 't:role:a' },
        { command: 'createClient', error: 'Invalid/missing username', correlationData: 't:client:a' },
      ],
      outcome: { ready: [], created: [], failed: [{ id: 'a', error: 'Invalid/missing username' }] },
    },
    {
      name: 'role refused',
      responses: [
        { command: 'createRole', error: 'Internal error', correlationData: 't:role:a' },
        { command: 'createClient', correlationData: 't:client:a' },
      ],
      outcome: { ready: [], created: [], failed: [{ id: 'a', error: 'role: Internal error' }] },
    },
    {
      name: 'another call’s responses ignored',
      responses: [{ command: 'createClient', correlationData: 'x:client:b' }, { command: 'listClients' }],
      outcome: { ready: [], created: [], failed: [] },
    },
  ])('$name', ({ responses, outcome }) => {
    expect(readOutcome('t', responses)).toEqual(outcome);
  });
});
