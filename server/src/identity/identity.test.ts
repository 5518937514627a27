import { devicePassword } from '@gridwatch/devices';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DynsecClient } from './dynsec-client.ts';
import type { DynsecCommand, DynsecResponse } from './dynsec-commands.ts';
import { createIdentity } from './identity.ts';

const SECRET = 'unit-test-fleet-secret';
const log = pino({ level: 'silent' });

/** A fake dynamic-security broker: remembers clients, answers like Mosquitto 2.0. */
function fakeBroker(existing: string[] = []) {
  const clients = new Map<string, { password: string }>(existing.map((u) => [u, { password: 'x' }]));
  const roles = new Set<string>();
  const messages: DynsecCommand[][] = [];
  let connections = 0;
  const answer = (c: DynsecCommand): DynsecResponse => {
    const base = { command: c.command, correlationData: c.correlationData };
    switch (c.command) {
      case 'listClients':
        return { ...base, data: { totalCount: clients.size, clients: [...clients.keys()] } };
      case 'createRole':
        if (roles.has(c.rolename as string)) return { ...base, error: 'Role already exists' };
        roles.add(c.rolename as string);
        return base;
      case 'createClient':
        if (clients.has(c.username as string)) return { ...base, error: 'Client already exists' };
        clients.set(c.username as string, { password: c.password as string });
        return base;
      default:
        return { ...base, error: 'Unknown command' };
    }
  };
  const connect = async (): Promise<DynsecClient> => {
    connections++;
    return {
      async send(commands) {
        messages.push(commands);
        return commands.map(answer);
      },
      async close() {},
    };
  };
  return { clients, roles, messages, connect, connections: () => connections };
}

const dynsec = { url: 'mqtt://broker', username: 'gw-admin', password: 'pw' };

describe('identity', () => {
  it('credentials are the id and the password derived from the fleet secret', () => {
    const identity = createIdentity({ fleetSecret: SECRET, log, dynsec: null });
    expect(identity.credentials('cam-00001')).toEqual({
      username: 'cam-00001',
      password: devicePassword(SECRET, 'cam-00001'),
    });
  });

  it('embedded broker: nothing to create, every valid device can log in', async () => {
    const identity = createIdentity({ fleetSecret: SECRET, log, dynsec: null });
    const result = await identity.provision([
      { id: 'cam-00001', kind: 'camera' },
      { id: 'bad/id', kind: 'camera' },
    ]);
    expect(result).toEqual({
      provisioned: 1,
      created: 0,
      refused: [{ id: 'bad/id', reason: 'invalid device id' }],
    });
  });

  it('creates an account per device with the derived password, in batched messages', async () => {
    const broker = fakeBroker();
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      dynsec,
      connect: broker.connect,
      maxCommandsPerMessage: 100,
    });
    const devices = Array.from({ length: 120 }, (_, i) => ({
      id: `chg-${String(i).padStart(5, '0')}`,
      kind: 'charger' as const,
    }));
    const result = await identity.provision(devices);
    expect(result).toEqual({ provisioned: 120, created: 120, refused: [] });
    expect(broker.clients.get('chg-00007')?.password).toBe(devicePassword(SECRET, 'chg-00007'));
    expect(broker.roles.has('gw-device-chg-00119')).toBe(true);
    // listClients, then 240 commands in messages of at most 100.
    expect(broker.messages.map((m) => m.length)).toEqual([1, 100, 100, 40]);
  });

  it('skips devices already on the broker and remembers what it created', async () => {
    const broker = fakeBroker(['cam-00001']);
    const identity = createIdentity({ fleetSecret: SECRET, log, dynsec, connect: broker.connect });
    const first = await identity.provision([
      { id: 'cam-00001', kind: 'camera' },
      { id: 'cam-00002', kind: 'camera' },
    ]);
    expect(first).toEqual({ provisioned: 2, created: 1, refused: [] });
    expect(broker.clients.get('cam-00001')?.password).toBe('x');
    const sent = broker.messages.length;
    const again = await identity.provision([
      { id: 'cam-00001', kind: 'camera' },
      { id: 'cam-00002', kind: 'camera' },
    ]);
    expect(again).toEqual({ provisioned: 2, created: 0, refused: [] });
    expect(broker.messages.length).toBe(sent);
    expect(broker.connections()).toBe(1);
  });

  it('reports broker errors per device and runs concurrent calls one after another', async () => {
    const broker = fakeBroker();
    const identity = createIdentity({ fleetSecret: SECRET, log, dynsec, connect: broker.connect });
    const [a, b] = await Promise.all([
      identity.provision([{ id: 'lck-00001', kind: 'locker' }]),
      identity.provision([
        { id: 'lck-00001', kind: 'locker' },
        { id: 'gridwatch-server', kind: 'locker' },
      ]),
    ]);
    expect(a).toEqual({ provisioned: 1, created: 1, refused: [] });
    expect(b).toEqual({
      provisioned: 1,
      created: 0,
      refused: [{ id: 'gridwatch-server', reason: 'id is reserved for an operator account' }],
    });
  });

  it('creates the server account when missing and leaves an existing one alone', async () => {
    const broker = fakeBroker();
    const identity = createIdentity({ fleetSecret: SECRET, log, dynsec, connect: broker.connect });
    await identity.ensureServerAccount({ username: 'gridwatch-server', password: 'server-pw' });
    expect(broker.clients.get('gridwatch-server')?.password).toBe('server-pw');
    expect(broker.roles.has('gridwatch-server')).toBe(true);
    await identity.ensureServerAccount({ username: 'gridwatch-server', password: 'other-pw' });
    expect(broker.clients.get('gridwatch-server')?.password).toBe('server-pw');
    // Nothing to do without dynamic security or without an account.
    await createIdentity({ fleetSecret: SECRET, log, dynsec: null }).ensureServerAccount({
      username: 'u',
      password: 'p',
    });
    await identity.ensureServerAccount({});
    expect(broker.connections()).toBe(2);
  });
});
