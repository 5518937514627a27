import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/src/auth/demo-users.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';
import { AT, devicePoint, districtGeoJson, G1A, G2A, S1, S2 } from './regions-fixtures.ts';

const HOSTILE = `<img src=x onerror=alert(1)>'); DROP TABLE devices;--`;

describe.each(availableBackends())('device registry on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let officer: ReturnType<typeof api>;
  const p = uniqueId('d'); // id prefix of this run

  beforeAll(async () => {
    // No broker accounts: 40k test devices would stay in the password file of the broker other
    // tests share. Broker login of an imported device is checked in device-provisioning.test.ts.
    server = await startTestServer(backend, {
      MQTT_ADMIN_USERNAME: '',
      MQTT_ADMIN_PASSWORD: '',
      MQTT_ACCOUNTS_FILE: '',
    });
    admin = api(server.url, await login(server.url));
    officer = api(server.url, await login(server.url, 'officer-s01', DEMO_PASSWORD));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('imports CSV, placing rows and listing bad ones by line; hostile strings stay inert', async () => {
    const csv = [
      'id,kind,name,lon,lat,site,floor',
      `${p}-c1,camera,"Gate, north",${AT.g1a.join(',')},site-0001,3`,
      `${p}-c2,charger,"${HOSTILE.replaceAll('"', '""')}",${AT.g2a.join(',')},,`,
      `${p}-c3,locker,Out of grids,${AT.outside.join(',')},,`,
      `${p} bad,camera,x,108.9,34.2,,`,
      `${p}-c4,toaster,x,108.9,34.2,,`,
      `${p}-c5,camera,x,200,34.2,,`,
      `${p}-c1,camera,again,108.9,34.2,,`,
    ].join('\r\n');
    const res = await admin.post('/api/devices/import', csv, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 3, placed: 2, unplaced: 1, provisioningInBackground: false });
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([5, 6, 7, 8]);
    expect(res.body.errors[3].message).toBe('duplicate id (first on line 2)');

    const c1 = (await admin.get(`/api/devices/${p}-c1`)).body;
    expect(c1).toMatchObject({ kind: 'camera', name: 'Gate, north', site: 'site-0001', gridId: G1A });
    expect(c1.attributes).toEqual({ floor: '3' });
    const c2 = (await admin.get(`/api/devices/${p}-c2`)).body;
    expect(c2.name).toBe(HOSTILE);
    expect(c2.path.street).toBe(S2);
    const stored = await server.pool.query('SELECT count(*)::int AS n FROM devices');
    expect(stored.rows[0].n).toBeGreaterThanOrEqual(3);
  });

  it('imports GeoJSON Points with attributes and refuses a body that is neither', async () => {
    const res = await admin.post('/api/devices/import', {
      type: 'FeatureCollection',
      features: [
        devicePoint(`${p}-g1`, 'charger', AT.g1b, { site: 'site-0002', ports: 12 }),
        devicePoint(`${p}-g2`, 'camera', AT.g1a),
        devicePoint('', 'camera', AT.g1a),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 2, placed: 2, unplaced: 0 });
    expect(res.body.errors).toEqual([
      { feature: 2, id: '', message: 'id must be 1-64 letters, digits, "-" or "_"' },
    ]);
    expect((await admin.get(`/api/devices/${p}-g1`)).body.attributes).toEqual({ ports: 12 });

    const bad = await admin.post('/api/devices/import', { type: 'Feature' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('FeatureCollection');
    const noHeader = await admin.post('/api/devices/import', 'id,kind\ncam-1,camera', 'text/csv');
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.message).toContain('lacks column(s) name, lon, lat');
    expect((await officer.post('/api/devices/import', 'id,kind,name,lon,lat\n', 'text/csv')).status).toBe(
      403,
    );
  });

  it('registers one device and answers its MQTT credentials', async () => {
    const id = `${p}-one`;
    const res = await admin.post('/api/devices', {
      id,
      kind: 'locker',
      name: '快递柜',
      lon: AT.g2a[0],
      lat: AT.g2a[1],
    });
    expect(res.status).toBe(201);
    expect(res.body.device).toMatchObject({ id, kind: 'locker', gridId: G2A, online: false });
    expect(res.body.credentials.username).toBe(id);
    expect(res.body.credentials.password.length).toBeGreaterThanOrEqual(16);
    expect((await admin.post('/api/devices', { id, kind: 'locker', name: 'again' })).status).toBe(409);
    expect((await admin.post('/api/devices', { id: 'x/y', kind: 'locker', name: 'bad' })).status).toBe(400);
  });

  it('lists with filters and paging, scoped to the caller region', async () => {
    const list = async (client: ReturnType<typeof api>, query: string) => {
      const res = await client.get(`/api/devices?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { items: Array<{ id: string; path: { street: string | null } }>; total: number };
    };
    const mine = await list(admin, `q=${p}&limit=100`);
    const ids = mine.items.map((d) => d.id);
    expect(ids).toEqual([...ids].sort());
    expect(mine.total).toBe(6); // c1 c2 c3 g1 g2 one; the unplaced c3 too, for the commander
    expect(ids).toContain(`${p}-c3`);

    expect((await list(admin, `q=${p}&kind=camera`)).items.map((d) => d.id)).toEqual([`${p}-c1`, `${p}-g2`]);
    expect((await list(admin, `q=${p}&region=${S2}`)).items.map((d) => d.id)).toEqual([
      `${p}-c2`,
      `${p}-one`,
    ]);
    expect((await list(admin, `q=${p}&online=true`)).total).toBe(0);
    expect((await list(admin, `q=GATE, NORTH`)).items.map((d) => d.id)).toEqual([`${p}-c1`]);
    expect((await list(admin, 'q=%25')).total).toBe(0); // a literal %, not a wildcard

    const page1 = await list(admin, `q=${p}&limit=4&offset=0`);
    const page2 = await list(admin, `q=${p}&limit=4&offset=4`);
    expect(page1.items).toHaveLength(4);
    expect(page2.items).toHaveLength(2);
    expect(page2.total).toBe(6);
    expect([...page1.items, ...page2.items].map((d) => d.id)).toEqual(ids);

    // officer-s01 sees street S01 only: not S02's devices, not unplaced ones.
    const seen = await list(officer, `q=${p}`);
    expect(seen.items.map((d) => d.id)).toEqual([`${p}-c1`, `${p}-g1`, `${p}-g2`]);
    expect(seen.items.every((d) => d.path.street === S1)).toBe(true);
    expect((await officer.get(`/api/devices/${p}-c1`)).status).toBe(200);
    expect((await officer.get(`/api/devices/${p}-c2`)).status).toBe(403);
    expect((await officer.get(`/api/devices/${p}-nope`)).status).toBe(404);
    expect((await api(server.url).get('/api/devices')).status).toBe(401);
  });

  it('imports 40k devices in one CSV quickly', async () => {
    const rows = ['id,kind,name,lon,lat,site'];
    const kinds = ['camera', 'charger', 'locker'];
    for (let i = 0; i < 40_000; i++) {
      const lon = 108.9 + (i % 400) * 0.0001;
      rows.push(`${p}-b${i},${kinds[i % 3]},Device ${i},${lon.toFixed(5)},34.205,site-${i % 50}`);
    }
    const started = Date.now();
    const res = await admin.post('/api/devices/import', rows.join('\n'), 'text/csv');
    const ms = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.imported).toBe(40_000);
    expect(res.body.placed + res.body.unplaced).toBe(40_000);
    expect(res.body.placed).toBeGreaterThan(20_000);
    // Past 200 devices the broker accounts are made in the background.
    expect(res.body.provisioningInBackground).toBe(true);
    console.log(`[devices] 40k-device CSV import on ${backend}: ${ms} ms`);
    expect(ms).toBeLessThan(60_000);
    const counted = await server.pool.query('SELECT count(*)::int AS n FROM devices WHERE id LIKE $1', [
      `${p}-b%`,
    ]);
    expect(counted.rows[0].n).toBe(40_000);
  });
});
