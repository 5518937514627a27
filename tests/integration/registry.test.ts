import { deviceTopic } from '@gridwatch/devices';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, login, waitFor } from '../support/clients.ts';
import { devicePublisher, publishAll, telemetryCount } from './ingest-fixtures.ts';
import { AT, DISTRICT, districtGeoJson, G1A, G1B, S1, square } from './regions-fixtures.ts';

/** A charger reading with a leakage current over the catalogue's 30 mA (raised at once: forS 0). */
const aLeakingReading = (seq: number) => ({
  ts: Date.now(),
  seq,
  voltageV: 220,
  currentA: 6,
  powerKw: 1.3,
  energyKwh: 1200,
  temperatureC: 35,
  leakageMa: 45,
  ports: [{ port: 1, state: 'charging', currentA: 6 }],
});

describe.each(availableBackends())('device registry directory on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await server?.close();
  });

  it('knows a device the moment its import answers: its first reading is stored and detected', async () => {
    const id = uniqueId('chg');
    const csv = ['id,kind,name,lon,lat,site', `${id},charger,Charger ${id},${AT.g1a.join(',')},site-r1`].join(
      '\n',
    );
    const imported = await admin.post('/api/devices/import', csv, 'text/csv');
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 1, placed: 1 });

    // Nothing reloads in the background: the directory already holds the device.
    const entry = server.gw.app.registry.directory.get(id);
    expect(entry).toMatchObject({ kind: 'charger', site: 'site-r1', gridId: G1A, path: { street: S1 } });

    const pub = await devicePublisher(server.mqttUrl, { id, kind: 'charger' });
    clients.push(pub);
    await publishAll(pub, [[deviceTopic('charger', id, 'telemetry'), aLeakingReading(1)]]);

    await waitFor(async () => (await telemetryCount(server.pool, id)) === 1, 15_000, 'the reading stored');
    const alert = await waitFor(
      async () => {
        const res = await admin.get(`/api/alerts?deviceId=${id}`);
        return res.body.items?.find((a: { cause: string }) => a.cause === 'charger-leakage-current');
      },
      15_000,
      'the leakage alert',
    );
    expect(alert).toMatchObject({ deviceId: id, site: 'site-r1', path: { district: DISTRICT, grid: G1A } });
    const dead = await server.pool.query('SELECT count(*)::int AS n FROM dead_letters WHERE device_id = $1', [
      id,
    ]);
    expect(dead.rows[0].n).toBe(0);
  });

  it('moves a device in the directory when a region import places it again', async () => {
    const id = uniqueId('cam');
    const created = await admin.post('/api/devices', {
      id,
      kind: 'camera',
      name: `Camera ${id}`,
      lon: AT.outside[0],
      lat: AT.outside[1],
    });
    expect(created.status).toBe(201);
    expect(server.gw.app.registry.directory.get(id)?.path.grid).toBeNull();

    // A new grid over the gap between the two streets' grids takes the device in.
    const geo = districtGeoJson();
    geo.features.push({
      type: 'Feature',
      properties: { id: `${G1B}-X`, level: 'grid', name: '新网格', parentId: 'D610104-S01-C01' },
      geometry: square(108.92, 34.2),
    } as (typeof geo.features)[number]);
    expect((await admin.post('/api/regions/import', geo)).status).toBe(200);
    expect(server.gw.app.registry.directory.get(id)).toMatchObject({
      gridId: `${G1B}-X`,
      path: { street: S1, grid: `${G1B}-X` },
    });
    expect((await admin.get(`/api/devices/${id}`)).body.path.grid).toBe(`${G1B}-X`);
  });
});
