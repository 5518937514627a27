import type {
  Alert,
  AlertList,
  ClientToServerEvents,
  DeviceListResponse,
  ServerToClientEvents,
  StatsOverview,
} from '@gridwatch/devices';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, connectSocket, login, waitFor } from '../support/clients.ts';
import { aFinding, DEMO_PASSWORD } from './alerts-fixtures.ts';
import { AT, devicePoint, districtGeoJson } from './regions-fixtures.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const sync = (socket: ClientSocket) =>
  new Promise<Alert[]>((resolve) => socket.emit('alerts:sync', {}, resolve));

/**
 * The wall screen counts (stats) and the console lists (REST and socket) apply one region
 * scope: for every role they name the same devices and alerts, a device outside every grid
 * included (commanders see it; nobody else does).
 */
describe.each(availableBackends())('one region scope on %s', (backend) => {
  let server: TestServer;
  const sockets: ClientSocket[] = [];
  const p = uniqueId('sc');
  const dev = { s1: `${p}-s1`, s2: `${p}-s2`, out: `${p}-out` };
  const users = () => [
    { username: 'admin', password: server.env.ADMIN_PASSWORD!, sees: [dev.s1, dev.s2, dev.out] },
    { username: 'dispatcher', password: DEMO_PASSWORD, sees: [dev.s1, dev.s2] },
    { username: 'wall', password: DEMO_PASSWORD, sees: [dev.s1, dev.s2] },
    { username: 'officer-s01', password: DEMO_PASSWORD, sees: [dev.s1] },
    { username: 'officer-s02', password: DEMO_PASSWORD, sees: [dev.s2] },
  ];
  const live = new Map<string, Alert[]>();
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer(backend, { LOGIN_RATE_MAX: '100' });
    const admin = api(server.url, await login(server.url));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
    const imported = await admin.post('/api/devices/import', {
      type: 'FeatureCollection',
      features: [
        devicePoint(dev.s1, 'charger', AT.g1a),
        devicePoint(dev.s2, 'charger', AT.g2a),
        devicePoint(dev.out, 'charger', AT.outside),
      ],
    });
    expect(imported.body).toMatchObject({ imported: 3, placed: 2, unplaced: 1 });

    // Sockets first, so each hears the alerts raised below as they happen.
    for (const u of users()) {
      const token = await login(server.url, u.username, u.password);
      tokens.set(u.username, token);
      const socket = await connectSocket(server.url, token);
      sockets.push(socket);
      const heard: Alert[] = [];
      socket.on('alert:new', (a) => heard.push(a));
      live.set(u.username, heard);
    }
    await server.gw.app.alerts.apply([aFinding(dev.s1), aFinding(dev.s2), aFinding(dev.out)]);
    await waitFor(() => live.get('admin')!.length === 3, 15_000, 'the commander hearing every alert');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it.each(['admin', 'dispatcher', 'wall', 'officer-s01', 'officer-s02'])(
    '%s: the wall counts what the console lists, over REST and the socket',
    async (username) => {
      const user = users().find((u) => u.username === username)!;
      const client = api(server.url, tokens.get(username));
      const expected = [...user.sees].sort();

      const devices = await client.get<DeviceListResponse>('/api/devices?limit=5000');
      expect(devices.status).toBe(200);
      expect(devices.body.items.map((d) => d.id).sort()).toEqual(expected);

      const alerts = await client.get<AlertList>('/api/alerts?state=open&limit=500');
      expect(alerts.status).toBe(200);
      expect(alerts.body.items.map((a) => a.deviceId).sort()).toEqual(expected);

      const socket = sockets[users().findIndex((u) => u.username === username)]!;
      expect((await sync(socket)).map((a) => a.deviceId).sort()).toEqual(expected);
      // Live events arrive in order after the commander's: give them a moment, then compare.
      await waitFor(() => live.get(username)!.length >= expected.length, 10_000, 'live alerts');
      expect(
        live
          .get(username)!
          .map((a) => a.deviceId)
          .sort(),
      ).toEqual(expected);

      const stats = await client.get<StatsOverview>('/api/stats/overview');
      expect(stats.status).toBe(200);
      expect(stats.body.devices).toBe(expected.length);
      expect(stats.body.openAlerts).toBe(expected.length);
      expect(stats.body.byKind.charger.total).toBe(expected.length);
    },
  );
});
