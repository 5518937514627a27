import { devicePassword } from '@gridwatch/devices/credentials';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DynsecClient } from './dynsec-client.ts';
import type { DynsecCommand, DynsecResponse } from './dynsec-commands.ts';
import { type AccountStore, createIdentity, type IdentityDeps } from './identity.ts';
import { mergeAccounts, parsePasswordFile } from './password-file.ts';

const SECRET = 'unit-test-fleet-secret';
const log = pino({ level: 'silent' });

/**
 * A fake Mosquitto with a password file: `file` is what the server wrote, `loaded` what the
 * broker read at its last reload, `reloadsNeeded` how many signals it takes to reload.
 */
function fakeMosquitto(opts: { reloadsNeeded?: number; writable?: boolean } = {}) {
  let file = '';
  let loaded = new Map<string, string>();
  let signals = 0;
  let clock = 0;
  const probes: string[] = [];
  const io: NonNullable<IdentityDeps['io']> = {
    async write(_path, accounts) {
      if (opts.writable === false) throw new Error('EACCES: permission denied');
      const merged = mergeAccounts(file, accounts);
      file = merged.text;
      return { changed: merged.changed, total: parsePasswordFile(file).size };
    },
    async reload() {
      signals++;
      if (signals >= (opts.reloadsNeeded ?? 1)) loaded = parsePasswordFile(file);
      return true;
    },
    async probe(_url, username) {
      probes.push(username);
      return loaded.has(username);
    },
    async sleep(ms) {
      clock += ms;
    },
    now: () => clock,
  };
  return { io, file: () => file, probes, signals: () => signals };
}

const fileStore: AccountStore = {
  kind: 'file',
  url: 'mqtt://broker',
  file: '/broker/device-accounts',
  pidFile: '/broker/mosquitto.pid',
  readyTimeoutMs: 5_000,
};
const devices = (n: number, prefix = 'chg') =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(5, '0')}`,
    kind: 'charger' as const,
  }));

describe('identity', () => {
  it('credentials are the id and the password derived from the fleet secret', () => {
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: { kind: 'embedded' },
      dynsec: null,
    });
    expect(identity.credentials('cam-00001')).toEqual({
      username: 'cam-00001',
      password: devicePassword(SECRET, 'cam-00001'),
    });
  });

  it('embedded broker: every valid device is ready at once, a bad one fails with its reason', async () => {
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: { kind: 'embedded' },
      dynsec: null,
    });
    const result = await identity.provision([
      { id: 'cam-00001', kind: 'camera' },
      { id: 'bad/id', kind: 'camera' },
    ]);
    expect(result).toEqual({
      ready: ['cam-00001'],
      pending: [],
      failed: [{ id: 'bad/id', reason: 'invalid device id' }],
    });
  });

  it('password file: one line per device with its derived password, ready once the broker accepts the last', async () => {
    const broker = fakeMosquitto();
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec: null,
      io: broker.io,
    });
    const fleet = devices(300);
    const result = await identity.provision(fleet);
    expect(result.ready).toHaveLength(300);
    expect(result.failed).toEqual([]);
    const lines = parsePasswordFile(broker.file());
    expect(lines.size).toBe(300);
    // The witness is the last account written, probed after the reload.
    expect(broker.probes).toEqual(['chg-00299']);
    expect(broker.signals()).toBe(1);
  });

  it('waits through reloads that do not take, and signals again', async () => {
    const broker = fakeMosquitto({ reloadsNeeded: 2 });
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec: null,
      io: broker.io,
    });
    const result = await identity.provision(devices(3));
    expect(result.ready).toEqual(['chg-00000', 'chg-00001', 'chg-00002']);
    expect(broker.signals()).toBe(2);
    expect(broker.probes.length).toBeGreaterThan(2);
  });

  it('a broker that never reloads: the devices fail with a reason naming the file, after the timeout', async () => {
    const broker = fakeMosquitto({ reloadsNeeded: Number.POSITIVE_INFINITY });
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec: null,
      io: broker.io,
    });
    const result = await identity.provision(devices(2));
    expect(result.ready).toEqual([]);
    expect(result.failed.map((f) => f.id)).toEqual(['chg-00000', 'chg-00001']);
    expect(result.failed[0]!.reason).toMatch(/did not accept the new accounts within 5 s .*device-accounts/);
  });

  it('an unwritable file: every device fails with the error', async () => {
    const broker = fakeMosquitto({ writable: false });
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec: null,
      io: broker.io,
    });
    const result = await identity.provision([...devices(1), { id: 'gw-admin', kind: 'charger' }]);
    expect(result.ready).toEqual([]);
    expect(result.failed).toEqual([
      { id: 'gw-admin', reason: 'id is reserved for an operator account' },
      { id: 'chg-00000', reason: 'device password file not writable: EACCES: permission denied' },
    ]);
  });

  it('a repeated import writes nothing new and is ready at once', async () => {
    const broker = fakeMosquitto();
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec: null,
      io: broker.io,
    });
    await identity.provision(devices(5));
    const before = broker.file();
    const again = await identity.provision(devices(5));
    expect(again.ready).toHaveLength(5);
    expect(broker.file()).toBe(before);
  });

  it('a broker whose operator keeps the accounts: ready when it accepts the login, pending otherwise', async () => {
    const accepted = new Set(['cam-1']);
    const identity = (probe: (u: string) => boolean) =>
      createIdentity({
        fleetSecret: SECRET,
        log,
        accounts: { kind: 'external', url: 'mqtt://emqx' },
        dynsec: null,
        io: { probe: async (_url, username) => probe(username) },
      });
    const yes = await identity((u) => accepted.has(u)).provision([{ id: 'cam-1', kind: 'camera' }]);
    expect(yes).toEqual({ ready: ['cam-1'], pending: [], failed: [] });
    const no = await identity((u) => accepted.has(u)).provision([{ id: 'cam-2', kind: 'camera' }]);
    expect(no).toEqual({ ready: [], pending: ['cam-2'], failed: [] });
  });

  it('dynamic security (a broker set up before the password file): an account and a role per device, existing ones skipped', async () => {
    const clients = new Set(['cam-00000']);
    const messages: DynsecCommand[][] = [];
    const answer = (c: DynsecCommand): DynsecResponse => {
      const base = { command: c.command, correlationData: c.correlationData };
      if (c.command === 'listClients') return { ...base, data: { clients: [...clients] } };
      if (c.command === 'createClient') clients.add(c.username as string);
      return base;
    };
    const connect = async (): Promise<DynsecClient> => ({
      send: async (commands) => {
        messages.push(commands);
        return commands.map(answer);
      },
      close: async () => {},
    });
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: { kind: 'dynsec', url: 'mqtt://broker', username: 'gw-admin', password: 'pw' },
      dynsec: null,
      io: { connect },
    });
    const result = await identity.provision(devices(120, 'cam'));
    expect(result.ready).toHaveLength(120);
    expect(result.failed).toEqual([]);
    // listClients, then 119 devices × 2 commands in messages of at most 100.
    expect(messages.map((m) => m.length)).toEqual([1, 100, 100, 38]);
    expect(messages[1]![1]).toMatchObject({
      command: 'createClient',
      username: 'cam-00001',
      password: devicePassword(SECRET, 'cam-00001'),
    });
  });

  it('runs concurrent calls one after another', async () => {
    const broker = fakeMosquitto();
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec: null,
      io: broker.io,
    });
    const [a, b] = await Promise.all([
      identity.provision(devices(2, 'a')),
      identity.provision(devices(2, 'b')),
    ]);
    expect(a.ready).toEqual(['a-00000', 'a-00001']);
    expect(b.ready).toEqual(['b-00000', 'b-00001']);
    expect(parsePasswordFile(broker.file()).size).toBe(4);
  });

  it('creates the server account when missing and leaves an existing one alone', async () => {
    const clients = new Map<string, string>();
    let connections = 0;
    const answer = (c: DynsecCommand): DynsecResponse => {
      const base = { command: c.command, correlationData: c.correlationData };
      if (c.command !== 'createClient') return base;
      if (clients.has(c.username as string)) return { ...base, error: 'Client already exists' };
      clients.set(c.username as string, c.password as string);
      return base;
    };
    const connect = async (): Promise<DynsecClient> => {
      connections++;
      return { send: async (commands) => commands.map(answer), close: async () => {} };
    };
    const dynsec = { url: 'mqtt://broker', username: 'gw-admin', password: 'pw' };
    const identity = createIdentity({
      fleetSecret: SECRET,
      log,
      accounts: fileStore,
      dynsec,
      io: { connect },
    });
    await identity.ensureServerAccount({ username: 'gridwatch-server', password: 'server-pw' });
    expect(clients.get('gridwatch-server')).toBe('server-pw');
    await identity.ensureServerAccount({ username: 'gridwatch-server', password: 'other-pw' });
    expect(clients.get('gridwatch-server')).toBe('server-pw');
    // Nothing to do without dynamic security or without an account.
    await createIdentity({ fleetSecret: SECRET, log, accounts: fileStore, dynsec: null }).ensureServerAccount(
      {
        username: 'u',
        password: 'p',
      },
    );
    await identity.ensureServerAccount({});
    expect(connections).toBe(2);
  });
});
