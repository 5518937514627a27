import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AckResult, Alert, ClientToServerEvents, ServerToClientEvents } from '@gridwatch/devices';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGridwatch } from '../../server/src/main.ts';
import {
  availableBackends,
  realServices,
  startTestServer,
  type TestServer,
  uniqueId,
} from '../support/backends.ts';
import { api, connectSocket, login, waitFor } from '../support/clients.ts';
import { aDevice, aFinding, DEMO_PASSWORD, S01, S02, seedRegions } from './alerts-fixtures.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Every alert event a socket receives, newest last. */
function record(socket: ClientSocket) {
  const seen: Array<{ event: 'alert:new' | 'alert:update'; alert: Alert; at: number }> = [];
  socket.on('alert:new', (alert) => seen.push({ event: 'alert:new', alert, at: Date.now() }));
  socket.on('alert:update', (alert) => seen.push({ event: 'alert:update', alert, at: Date.now() }));
  return seen;
}

const ack = (socket: ClientSocket, id: string, remark?: string) =>
  new Promise<AckResult>((resolve) => socket.emit('alert:ack', { id, remark }, resolve));
const sync = (socket: ClientSocket, since?: string) =>
  new Promise<Alert[]>((resolve) => socket.emit('alerts:sync', { since }, resolve));

describe.each(availableBackends())('realtime (%s)', (backend) => {
  let server: TestServer;
  const sockets: ClientSocket[] = [];
  const open = async (username: string, password = DEMO_PASSWORD) => {
    const socket = await connectSocket(server.url, await login(server.url, username, password));
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { LOGIN_RATE_MAX: '100' });
    await seedRegions(server.pool);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('delivers alerts to the rooms on their region path only', async () => {
    const commander = await open('admin', server.env.ADMIN_PASSWORD);
    const officer1 = await open('officer-s01');
    const officer2 = await open('officer-s02');
    const seenC = record(commander);
    const seen1 = record(officer1);
    const seen2 = record(officer2);
    const d1 = await aDevice(server.pool, { street: S01 });
    const d2 = await aDevice(server.pool, { street: S02 });
    await server.gw.app.alerts.apply([aFinding(d1), aFinding(d2)]);
    await waitFor(() => seenC.length >= 2 && seen1.length >= 1 && seen2.length >= 1, 10_000, 'alert:new');
    expect(seenC.map((s) => s.alert.deviceId).sort()).toEqual([d1, d2].sort());
    expect(seen1.map((s) => [s.event, s.alert.deviceId])).toEqual([['alert:new', d1]]);
    expect(seen2.map((s) => [s.event, s.alert.deviceId])).toEqual([['alert:new', d2]]);
    // A later event for street 1 reaches officer 1; officer 2 still never hears of street 1.
    await server.gw.app.alerts.apply([aFinding(d1, { action: 'clear' })]);
    await waitFor(() => seen1.some((s) => s.alert.clearedAt), 10_000, 'clear update');
    expect(seen2.every((s) => s.alert.path.street === S02)).toBe(true);
  });

  it('sends an acknowledgement by one officer to another client within a second', async () => {
    const actor = await open('officer-s01');
    const colleague = await open('officer-s01');
    const wall = await open('wall');
    const device = await aDevice(server.pool, { street: S01 });
    const seenColleague = record(colleague);
    const seenWall = record(wall);
    await server.gw.app.alerts.apply([aFinding(device, { severity: 'critical' })]);
    const raised = await waitFor(() => seenColleague.find((s) => s.alert.deviceId === device), 10_000, 'new');

    const started = Date.now();
    const result = await ack(actor, raised.alert.id, '收到 on my way');
    expect(result).toMatchObject({ ok: true, alert: { state: 'acknowledged', ackBy: 'officer-s01' } });
    const update = await waitFor(
      () => seenColleague.find((s) => s.event === 'alert:update' && s.alert.state === 'acknowledged'),
      5000,
      'ack update',
      5,
    );
    expect(update.at - started).toBeLessThan(1000);
    expect(update.alert.ackRemark).toBe('收到 on my way');
    await waitFor(() => seenWall.find((s) => s.alert.state === 'acknowledged'), 5000, 'wall update');
  });

  it('applies the REST checks to acknowledgements over the socket', async () => {
    const officer2 = await open('officer-s02');
    const wall = await open('wall');
    const device = await aDevice(server.pool, { street: S01 });
    await server.gw.app.alerts.apply([aFinding(device)]);
    const admin = api(server.url, await login(server.url));
    const [alert] = (await admin.get(`/api/alerts?deviceId=${device}`)).body.items as Alert[];
    expect(await ack(officer2, alert!.id, 'not mine')).toEqual({
      ok: false,
      error: 'this alert is outside your region',
    });
    expect(await ack(wall, alert!.id)).toEqual({ ok: false, error: 'role viewer may not act on alerts' });
    expect(await ack(wall, '00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false });
    expect(await ack(officer2, alert!.id, 'x'.repeat(5000))).toMatchObject({ ok: false });
    expect((await admin.get(`/api/alerts/${alert!.id}`)).body.state).toBe('active');
  });

  it('gives a reconnecting client what it missed through alerts:sync', async () => {
    const officer = await open('officer-s01');
    const device = await aDevice(server.pool, { street: S01 });
    const other = await aDevice(server.pool, { street: S02 });
    await server.gw.app.alerts.apply([aFinding(device, { cause: 'before' })]);
    const before = (await sync(officer)).filter((a) => a.deviceId === device);
    expect(before.map((a) => a.cause)).toEqual(['before']);
    const lastSeen = new Date().toISOString();
    officer.close();

    // While it is away: a new alert, and the earlier one acknowledged and resolved.
    await server.gw.app.alerts.apply([
      aFinding(device, { cause: 'while-away' }),
      aFinding(other, { cause: 'elsewhere' }),
    ]);
    const admin = api(server.url, await login(server.url));
    const resolved = await admin.post(`/api/alerts/${before[0]!.id}/resolve`, { remark: 'done' });
    expect(resolved.status).toBe(200);

    const back = await open('officer-s01');
    const missed = await sync(back, lastSeen);
    const mine = missed.filter((a) => a.deviceId === device);
    expect(mine.map((a) => [a.cause, a.state]).sort()).toEqual([
      ['before', 'resolved'],
      ['while-away', 'active'],
    ]);
    expect(missed.every((a) => a.path.street === S01)).toBe(true);
    // A bare `emit('alerts:sync', callback)` is answered too.
    const bare = await new Promise<Alert[]>((resolve) =>
      (back as unknown as { emit(event: string, cb: (alerts: Alert[]) => void): void }).emit(
        'alerts:sync',
        resolve,
      ),
    );
    expect(bare.map((a) => a.cause)).toContain('while-away');
    // Without `since`, only what is still open.
    expect((await sync(back)).filter((a) => a.deviceId === device).map((a) => a.cause)).toEqual([
      'while-away',
    ]);
  });

  it('relays device status to the device’s regions', async () => {
    const officer1 = await open('officer-s01');
    const officer2 = await open('officer-s02');
    const device = await aDevice(server.pool, { street: S01 });
    const got1: string[] = [];
    const got2: string[] = [];
    officer1.on('device:status', (u) => got1.push(`${u.deviceId}:${u.online}`));
    officer2.on('device:status', (u) => got2.push(`${u.deviceId}:${u.online}`));
    server.gw.app.bus.emit('device-status', {
      deviceId: device,
      kind: 'charger',
      online: false,
      at: Date.now(),
      reason: 'last-will',
    });
    await waitFor(() => got1.includes(`${device}:false`), 10_000, 'device:status');
    expect(got2).not.toContain(`${device}:false`);
  });

  const redisUrl = realServices()?.redisUrl;
  it.runIf(backend === 'real' && redisUrl)(
    'fans out across two instances on one database through the Redis adapter',
    async () => {
      const first = await startTestServer(backend, { REDIS_URL: redisUrl!, LOGIN_RATE_MAX: '100' });
      const dataDir = await mkdtemp(join(tmpdir(), 'gw-test-'));
      const second = await startGridwatch({
        env: { ...first.env, DATA_DIR: dataDir, MQTT_CLIENT_ID: uniqueId('gw-ingest') },
      });
      try {
        await seedRegions(first.pool);
        // A session made on one instance is valid on the other.
        const token = await login(first.url, 'officer-s01', DEMO_PASSWORD);
        const onSecond = await connectSocket(second.url, token);
        sockets.push(onSecond);
        const seen = record(onSecond);
        const device = await aDevice(first.pool, { street: S01 });
        await first.gw.app.alerts.apply([aFinding(device)]);
        const raised = await waitFor(
          () => seen.find((s) => s.alert.deviceId === device),
          10_000,
          'cross-instance',
        );
        expect(raised.event).toBe('alert:new');
        // And back: an ack on the second instance reaches a socket on the first.
        const onFirst = await connectSocket(
          first.url,
          await login(first.url, 'admin', first.env.ADMIN_PASSWORD),
        );
        sockets.push(onFirst);
        const seenFirst = record(onFirst);
        expect(await ack(onSecond, raised.alert.id, 'from instance two')).toMatchObject({ ok: true });
        await waitFor(() => seenFirst.find((s) => s.alert.state === 'acknowledged'), 10_000, 'ack back');

        // Both instances raising the same new alert at once still make one alert.
        const shared = await aDevice(first.pool, { street: S01 });
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            [first.gw.app, second.app].map((app) =>
              app.alerts.apply([aFinding(shared, { at: Date.now() + i })]),
            ),
          ).flat(),
        );
        const rows = await first.pool.query('SELECT count FROM alerts WHERE device_id = $1', [shared]);
        expect(rows.rows).toEqual([{ count: 20 }]);
      } finally {
        for (const s of sockets.splice(0)) s.close();
        await second.close();
        await rm(dataDir, { recursive: true, force: true });
        await first.close();
      }
    },
  );
});
