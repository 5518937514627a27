import {
  type Alert,
  type ClientToServerEvents,
  type DeviceKind,
  deviceTopic,
  type ServerToClientEvents,
} from '@gridwatch/devices';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gridwatch, startGridwatch } from '../../server/src/main.ts';
import {
  availableBackends,
  startTestServer,
  type TestServer,
  testServerEnv,
  uniqueId,
} from '../support/backends.ts';
import { api, connectDevice, connectSocket, login, waitFor } from '../support/clients.ts';
import { DISTRICT, region, S1, S2, square } from './regions-fixtures.ts';

/**
 * Detection end to end: real devices over the real broker, ingest, detection, alerts and
 * Socket.IO. A charger overheats, a camera in the same compound sees smoke (a fire risk),
 * a locker is forced open and another camera drops off the network (last will). Exactly
 * those alerts reach an officer of the street, once each; an officer of the other street
 * hears nothing.
 */
type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Two streets, one community and grid each; a residential compound in street 1. */
function regionFixture(site: string) {
  return {
    type: 'FeatureCollection',
    features: [
      region(DISTRICT, 'district', '测试区', null),
      region(S1, 'street', '一街道', DISTRICT),
      region(S2, 'street', '二街道', DISTRICT),
      region(`${S1}-C01`, 'community', '一社区', S1),
      region(`${S2}-C01`, 'community', '二社区', S2),
      region(`${S1}-C01-G01`, 'grid', '一网格', `${S1}-C01`, square(108.9, 34.2)),
      region(`${S2}-C01-G01`, 'grid', '二网格', `${S2}-C01`, square(108.93, 34.2)),
      {
        type: 'Feature',
        properties: { featureType: 'compound', id: site, name: '幸福小区' },
        geometry: square(108.901, 34.201, 0.002),
      },
    ],
  };
}

const point = (id: string, kind: DeviceKind, lon: number, lat: number, site: string | null) => ({
  type: 'Feature',
  properties: { id, kind, name: `${kind} ${id}`, ...(site ? { site } : {}) },
  geometry: { type: 'Point', coordinates: [lon, lat] },
});

/** Normal telemetry per kind, so only the scripted faults raise anything. */
function telemetry(kind: DeviceKind, ts: number, seq: number, over: Record<string, unknown> = {}) {
  const base: Record<DeviceKind, Record<string, unknown>> = {
    camera: { fps: 25, bitrateKbps: 4000, storageUsedPct: 40, temperatureC: 38, peopleCount: 12 },
    charger: {
      voltageV: 220,
      currentA: 6,
      powerKw: 1.3,
      energyKwh: 1200,
      temperatureC: 35,
      leakageMa: 2,
      ports: [{ port: 1, state: 'charging', currentA: 6 }],
    },
    locker: {
      doorsOpen: 0,
      compartmentsUsed: 10,
      compartmentsTotal: 40,
      coldTempC: 4,
      mainsPower: true,
      batteryPct: 95,
    },
  };
  return JSON.stringify({ ts, seq, ...base[kind], ...over });
}

describe.each(availableBackends())('detection scenario (%s)', (backend) => {
  let server: TestServer;
  const devices: MqttClient[] = [];
  const sockets: ClientSocket[] = [];
  let heartbeat: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    server = await startTestServer(backend, { LOGIN_RATE_MAX: '100', SEED_DEMO_USERS: 'false' });
  });
  afterAll(async () => {
    clearInterval(heartbeat);
    for (const s of sockets) s.close();
    await Promise.all(devices.map((d) => d.endAsync(true).catch(() => {})));
    await server?.close();
  });

  it('raises exactly the expected alerts, once each, to the right street only', async () => {
    const admin = api(server.url, await login(server.url));
    const site = uniqueId('site');
    const regions = await admin.post('/api/regions/import', regionFixture(site));
    expect(regions.status, JSON.stringify(regions.body)).toBe(200);

    const officer = { username: uniqueId('officer-a'), password: 'officer-a-password' };
    const other = { username: uniqueId('officer-b'), password: 'officer-b-password' };
    for (const [user, regionId] of [
      [officer, S1],
      [other, S2],
    ] as const) {
      const created = await admin.post('/api/users', {
        ...user,
        displayName: user.username,
        role: 'officer',
        regionId,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }

    const charger = uniqueId('chg');
    const smokeCamera = uniqueId('cam');
    const locker = uniqueId('lck');
    const lostCamera = uniqueId('cam');
    const imported = await admin.post('/api/devices/import', {
      type: 'FeatureCollection',
      features: [
        point(charger, 'charger', 108.9015, 34.2015, site),
        point(smokeCamera, 'camera', 108.9018, 34.2012, site),
        point(locker, 'locker', 108.905, 34.205, null),
        point(lostCamera, 'camera', 108.906, 34.206, null),
      ],
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ imported: 4, placed: 4 });

    const officerSocket = await connectSocket(
      server.url,
      await login(server.url, officer.username, officer.password),
    );
    const otherSocket = await connectSocket(
      server.url,
      await login(server.url, other.username, other.password),
    );
    sockets.push(officerSocket, otherSocket);
    const seen: Array<{ event: string; alert: Alert }> = [];
    const seenByOther: Array<{ event: string; alert: Alert }> = [];
    officerSocket.on('alert:new', (alert) => seen.push({ event: 'new', alert }));
    officerSocket.on('alert:update', (alert) => seen.push({ event: 'update', alert }));
    otherSocket.on('alert:new', (alert) => seenByOther.push({ event: 'new', alert }));
    otherSocket.on('alert:update', (alert) => seenByOther.push({ event: 'update', alert }));

    const kinds: Record<string, DeviceKind> = {
      [charger]: 'charger',
      [smokeCamera]: 'camera',
      [locker]: 'locker',
      [lostCamera]: 'camera',
    };
    const clients = new Map<string, MqttClient>();
    for (const [id, kind] of Object.entries(kinds)) {
      const client = await connectDevice(server.mqttUrl, kind, id);
      clients.set(id, client);
      devices.push(client);
      // As a real device does: a retained online status, which its last will overwrites.
      await client.publishAsync(
        deviceTopic(kind, id, 'status'),
        JSON.stringify({ state: 'online', ts: Date.now() }),
        {
          qos: 1,
          retain: true,
        },
      );
    }
    const seq = new Map<string, number>();
    const next = (id: string) => {
      const n = (seq.get(id) ?? 0) + 1;
      seq.set(id, n);
      return n;
    };
    const publish = (id: string, channel: 'telemetry' | 'event', payload: string) =>
      (clients.get(id) as MqttClient).publishAsync(
        deviceTopic(kinds[id] as DeviceKind, id, channel),
        payload,
        {
          qos: 1,
        },
      );
    const send = (id: string, over: Record<string, unknown> = {}, ts = Date.now()) =>
      publish(id, 'telemetry', telemetry(kinds[id] as DeviceKind, ts, next(id), over));
    const event = (id: string, type: string) =>
      publish(id, 'event', JSON.stringify({ ts: Date.now(), seq: next(id), type }));

    // The charger has been over 65 °C for 45 s of device time (readings in order, the last
    // one now): over-temperature. It stays at 70 °C, with no fast rise.
    const hot = { temperatureC: 70 };
    const now = Date.now();
    for (const ago of [45_000, 30_000, 15_000, 0]) await send(charger, hot, now - ago);
    // Everyone else reports normally, and keeps doing so.
    await Promise.all([send(smokeCamera), send(locker), send(lostCamera)]);
    heartbeat = setInterval(() => {
      Promise.all([send(charger, hot), send(smokeCamera), send(locker)]).catch(() => {});
    }, 5_000);
    await waitFor(
      () => seen.some((s) => s.alert.cause === 'charger-over-temperature'),
      30_000,
      'charger-over-temperature',
    );
    // Smoke on the camera of the same compound: its own alert and one fire-risk incident.
    await event(smokeCamera, 'smoke');
    await event(locker, 'forced-open');
    // The camera's connection dies without a goodbye: the broker publishes its last will.
    (clients.get(lostCamera) as MqttClient).stream.destroy();

    const expected = [
      `${charger} charger-over-temperature`,
      `${smokeCamera} camera-smoke`,
      `${charger} fire-risk`,
      `${locker} locker-forced-open`,
      `${lostCamera} camera-offline`,
    ].sort();
    const newKeys = () =>
      seen.filter((s) => s.event === 'new').map((s) => `${s.alert.deviceId} ${s.alert.cause}`);
    await waitFor(
      () => expected.every((k) => newKeys().includes(k)),
      60_000,
      `alerts ${expected.join(', ')}`,
    );
    // A few more heartbeats: nothing may be raised twice or spuriously.
    await new Promise((r) => setTimeout(r, 6_000));

    expect(newKeys().sort()).toEqual(expected);
    const fire = seen.find((s) => s.alert.cause === 'fire-risk')?.alert as Alert;
    expect(fire).toMatchObject({ severity: 'critical', deviceId: charger, site });
    expect([...fire.deviceIds].sort()).toEqual([charger, smokeCamera].sort());
    expect(fire.path.street).toBe(S1);
    expect(seen.filter((s) => s.alert.count !== 1)).toEqual([]);

    const { rows } = await server.pool.query<{ key: string }>(
      `SELECT device_id || ' ' || cause AS key FROM alerts WHERE device_id = ANY($1)`,
      [Object.keys(kinds)],
    );
    expect(rows.map((r) => r.key).sort()).toEqual(expected);
    expect(seenByOther).toEqual([]);
  });
});

describe.each(availableBackends())('detection across a restart (%s)', (backend) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let gw: Gridwatch | undefined;
  let device: MqttClient | undefined;
  let pool: pg.Pool | undefined;

  beforeAll(async () => {
    ({ env, cleanup } = await testServerEnv(backend, { SEED_DEMO_USERS: 'false' }));
  });
  afterAll(async () => {
    await device?.endAsync(true).catch(() => {});
    await pool?.end().catch(() => {});
    await gw?.close().catch(() => {});
    await cleanup?.();
  });

  it('a condition half-way through its duration raises once, on time, after the restart', async () => {
    const charger = uniqueId('chg');
    const site = uniqueId('site');
    let seq = 0;
    const hotAt = (ts: number) => telemetry('charger', ts, ++seq, { temperatureC: 70 });
    const connect = async (mqttUrl: string) => {
      const client = await connectDevice(mqttUrl, 'charger', charger);
      await client.publishAsync(
        deviceTopic('charger', charger, 'status'),
        JSON.stringify({ state: 'online' }),
        {
          qos: 1,
          retain: true,
        },
      );
      return client;
    };
    const publish = (client: MqttClient, payload: string) =>
      client.publishAsync(deviceTopic('charger', charger, 'telemetry'), payload, { qos: 1 });
    const stored = async (n: number) => {
      const { rows } = await (pool as pg.Pool).query<{ n: number }>(
        'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1',
        [charger],
      );
      return (rows[0]?.n ?? 0) >= n;
    };
    const alerts = async () =>
      (
        await (pool as pg.Pool).query<{ first_seen: Date; count: number }>(
          "SELECT first_seen, count FROM alerts WHERE device_id = $1 AND cause = 'charger-over-temperature'",
          [charger],
        )
      ).rows;

    gw = await startGridwatch({ env });
    const admin = api(gw.url, await login(gw.url));
    expect((await admin.post('/api/regions/import', regionFixture(site))).status).toBe(200);
    const imported = await admin.post('/api/devices/import', {
      type: 'FeatureCollection',
      features: [point(charger, 'charger', 108.9015, 34.2015, site)],
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    pool = new pg.Pool({ connectionString: gw.context.databaseUrl, max: 1 });
    device = await connect(gw.context.mqtt.url);

    // 70 °C for 15 s of device time: half of the 30 s the rule waits for.
    const t0 = Date.now() - 60_000;
    await publish(device, hotAt(t0));
    await publish(device, hotAt(t0 + 15_000));
    await waitFor(() => stored(2), 30_000, 'two readings stored');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await alerts()).toEqual([]);

    await device.endAsync(true);
    await pool.end();
    await gw.close();
    gw = await startGridwatch({ env });
    pool = new pg.Pool({ connectionString: gw.context.databaseUrl, max: 1 });
    const saved = await pool.query('SELECT 1 FROM detector_state WHERE device_id = $1', [charger]);
    expect(saved.rowCount).toBe(1);
    device = await connect(gw.context.mqtt.url);

    // The reading that completes 30 s raises, stamped with its own time; later ones add nothing.
    await publish(device, hotAt(t0 + 30_000));
    const raised = await waitFor(
      async () => ((await alerts()).length > 0 ? alerts() : null),
      30_000,
      'alert',
    );
    expect(raised.map((a) => a.first_seen.getTime())).toEqual([t0 + 30_000]);
    await publish(device, hotAt(t0 + 45_000));
    await waitFor(() => stored(4), 30_000, 'four readings stored');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await alerts()).map((a) => a.count)).toEqual([1]);
  });
});
