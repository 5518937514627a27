import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/src/auth/demo-users.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, connectDevice, login } from '../support/clients.ts';
import { AT, C1, DISTRICT, devicePoint, districtGeoJson, G1A, G1B, G2A, S1, S2 } from './regions-fixtures.ts';

describe.each(availableBackends())('regions on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('imports regions, serves the tree and map, and places devices by grid polygon', async () => {
    // Devices first: the region import must place devices that were there before it.
    const [inA, inB, outside] = [uniqueId('cam'), uniqueId('chg'), uniqueId('lck')];
    const before = await admin.post('/api/devices/import', {
      type: 'FeatureCollection',
      features: [
        devicePoint(inA, 'camera', AT.g1a),
        devicePoint(inB, 'charger', AT.g1b),
        devicePoint(outside, 'locker', AT.outside),
      ],
    });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ imported: 3, placed: 0, unplaced: 3 });

    const imported = await admin.post('/api/regions/import', districtGeoJson());
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ regions: 8, features: 2, devicesPlaced: 2, devicesUnplaced: 1 });

    const a = await admin.get(`/api/devices/${inA}`);
    expect(a.body.path).toEqual({ district: DISTRICT, street: S1, community: C1, grid: G1A });
    expect(a.body.gridId).toBe(G1A);
    expect((await admin.get(`/api/devices/${inB}`)).body.gridId).toBe(G1B);
    const out = await admin.get(`/api/devices/${outside}`);
    expect(out.status).toBe(200);
    expect(out.body.path).toEqual({ district: null, street: null, community: null, grid: null });

    const { status, body } = await admin.get('/api/regions');
    expect(status).toBe(200);
    expect(body.tree).toHaveLength(1);
    const district = body.tree[0];
    expect(district).toMatchObject({ id: DISTRICT, level: 'district', name: '测试区', devices: 2 });
    expect(district.children.map((s: { id: string }) => s.id)).toEqual([S1, S2]);
    expect(
      district.children[0].children[0].children.map((g: { id: string; devices: number }) => [
        g.id,
        g.devices,
      ]),
    ).toEqual([
      [G1A, 1],
      [G1B, 1],
    ]);
    expect(body.geojson.features.map((f: { id: string }) => f.id).sort()).toEqual([G1A, G1B, G2A].sort());
    expect(body.geojson.features[0].properties).toMatchObject({ level: 'grid' });
    expect(body.features.features.map((f: { properties: Record<string, unknown> }) => f.properties)).toEqual(
      expect.arrayContaining([{ featureType: 'road', id: 'road-1', name: '环城路', lanes: 4 }]),
    );
  });

  it('registers a device that can log in to the broker at once', async () => {
    const id = uniqueId('cam');
    const res = await admin.post('/api/devices', {
      id,
      kind: 'camera',
      name: 'gate',
      lon: AT.g1a[0],
      lat: AT.g1a[1],
    });
    expect(res.status).toBe(201);
    expect(res.body.device.gridId).toBe(G1A);
    const client = await connectDevice(server.mqttUrl, 'camera', id, {
      password: res.body.credentials.password,
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('lets an officer read the map but not import it', async () => {
    const officer = api(server.url, await login(server.url, 'officer-s01', DEMO_PASSWORD));
    expect((await officer.get('/api/regions')).status).toBe(200);
    const refused = await officer.post('/api/regions/import', districtGeoJson());
    expect(refused.status).toBe(403);
    expect((await api(server.url).get('/api/regions')).status).toBe(401);
  });

  it('refuses bad GeoJSON with a 400 naming the feature and the problem', async () => {
    const open = districtGeoJson();
    const grid = open.features[5] as { geometry: { coordinates: number[][][] } };
    grid.geometry.coordinates[0]![4] = [108.95, 34.25];
    const cases: Array<[unknown, string]> = [
      [{ type: 'FeatureCollection', features: [{}] }, 'feature 0: is not a GeoJSON Feature'],
      [open, `feature 5 (id "${G1A}"): polygon ring 0 is not closed`],
      [
        {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              properties: { id: 'G-x', level: 'grid', name: 'x', parentId: S1 },
              geometry: districtGeoJson().features[5]!.geometry,
            },
          ],
        },
        `parent "${S1}" is a street, a grid's parent must be a community`,
      ],
      [
        // 1e400 parses to Infinity: JSON lets it through, geometry must not.
        `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"G-y","level":"grid","name":"y","parentId":"${C1}"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1e400],[0,0]]]}}]}`,
        'feature 0 (id "G-y"): polygon ring 0: a coordinate is not a finite number',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await admin.post('/api/regions/import', body);
      expect(res.status, message).toBe(400);
      expect(res.body.message).toContain(message);
    }
    // Nothing of a refused import was stored.
    expect(
      (await admin.get('/api/regions')).body.geojson.features.map((f: { id: string }) => f.id),
    ).not.toContain('G-x');
  });
});
