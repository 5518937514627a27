import type { MatterCatalogue, MatterVersion } from '@gridwatch/devices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';
import { DEMO_PASSWORD } from './alerts-fixtures.ts';
import { districtGeoJson, S1 } from './regions-fixtures.ts';

type Client = ReturnType<typeof api>;

async function csvRequest(url: string, token: string, path: string, body?: string) {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'text/csv' }),
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

describe.each(availableBackends())('matter catalogue (%s)', (backend) => {
  let server: TestServer;
  let admin: Client;
  let adminToken: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    adminToken = await login(server.url);
    admin = api(server.url, adminToken);
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('starts with the default catalogue of 6 categories and 80 items, readable by everyone logged in', async () => {
    const wall = api(server.url, await login(server.url, 'wall', DEMO_PASSWORD));
    const res = await wall.get<MatterCatalogue>('/api/matters');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, createdBy: 'system' });
    expect(res.body.items).toHaveLength(80);
    expect(new Set(res.body.items.map((i) => i.categoryCode)).size).toBe(6);
    expect(res.body.items.find((i) => i.code === 'FIRE-02')).toMatchObject({
      nameZh: '飞线充电',
      nameEn: 'Fly-wire charging from a window',
      leadDepartment: 'fire',
      tier: 'grid',
      photoRequired: true,
    });
    expect(server.gw.app.matters.current().version).toBe(1);
    expect(server.gw.app.matters.item('FIRE-02')?.leadDepartment).toBe('fire');
  });

  it('writes a new version on every edit and keeps the old one readable', async () => {
    const before = (await admin.get<MatterCatalogue>('/api/matters')).body;
    const old = before.items.find((i) => i.code === 'FIRE-01')!;
    const edited = await admin.patch<MatterCatalogue>('/api/matters/items/FIRE-01', {
      baseVersion: before.version,
      handleLimitS: 5400,
      note: '缩短处置时限 shorter limit',
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(201);
    expect(edited.body.version).toBe(before.version + 1);
    expect(edited.body.items.find((i) => i.code === 'FIRE-01')?.handleLimitS).toBe(5400);
    const previous = await admin.get<MatterCatalogue>(`/api/matters?version=${before.version}`);
    expect(previous.body.items.find((i) => i.code === 'FIRE-01')?.handleLimitS).toBe(old.handleLimitS);
    const matters = server.gw.app.matters;
    expect(matters.item('FIRE-01')?.handleLimitS).toBe(5400);
    expect(matters.item('FIRE-01', before.version)?.handleLimitS).toBe(old.handleLimitS);
    const versions = await admin.get<MatterVersion[]>('/api/matters/versions');
    expect(versions.body[0]).toMatchObject({
      version: before.version + 1,
      createdBy: 'admin',
      note: '缩短处置时限 shorter limit',
      items: 80,
    });
    // An edit based on the version just replaced is refused, not silently applied.
    const stale = await admin.patch('/api/matters/items/FIRE-01', {
      baseVersion: before.version,
      handleLimitS: 60,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/baseVersion/);
    expect(matters.current().version).toBe(before.version + 1);
  });

  it('round-trips through CSV: the export imported again gives the same items in a new version', async () => {
    const before = (await admin.get<MatterCatalogue>('/api/matters')).body;
    const exported = await csvRequest(server.url, adminToken, '/api/matters/export.csv');
    expect(exported.status).toBe(200);
    expect(exported.text.split('\r\n')).toHaveLength(82);
    const imported = await csvRequest(
      server.url,
      adminToken,
      '/api/matters/import?note=round%20trip',
      exported.text,
    );
    expect(imported.status, imported.text).toBe(201);
    const after = imported.json() as MatterCatalogue;
    expect(after.version).toBe(before.version + 1);
    expect(after.note).toBe('round trip');
    expect(after.items).toEqual(before.items);
  });

  it('stores hostile text as text and exports it neutralised', async () => {
    const current = (await admin.get<MatterCatalogue>('/api/matters')).body;
    const hostile = '=HYPERLINK("http://evil.example","点我")';
    const res = await admin.patch<MatterCatalogue>('/api/matters/items/URBAN-01', {
      nameEn: hostile,
      nameZh: '<img src=x onerror=alert(1)>',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(server.gw.app.matters.item('URBAN-01')).toMatchObject({
      nameEn: hostile,
      nameZh: '<img src=x onerror=alert(1)>',
    });
    const exported = await csvRequest(server.url, adminToken, '/api/matters/export.csv');
    expect(exported.text).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    const old = await csvRequest(
      server.url,
      adminToken,
      `/api/matters/export.csv?version=${current.version}`,
    );
    expect(old.text).not.toContain('HYPERLINK');
  });

  it('lets only district commanders edit: others get 403 and nothing changes', async () => {
    const created = await admin.post('/api/users', {
      username: 'street-commander',
      password: 'a-long-password',
      displayName: 'street commander',
      role: 'commander',
      regionId: S1,
    });
    expect(created.status).toBe(201);
    const version = server.gw.app.matters.current().version;
    const csv = (await csvRequest(server.url, adminToken, '/api/matters/export.csv')).text;
    for (const [username, password] of [
      ['dispatcher', DEMO_PASSWORD],
      ['wall', DEMO_PASSWORD],
      ['officer-s01', DEMO_PASSWORD],
      ['street-commander', 'a-long-password'],
    ]) {
      const token = await login(server.url, username, password);
      const other = api(server.url, token);
      expect((await other.patch('/api/matters/items/FIRE-01', { handleLimitS: 60 })).status, username).toBe(
        403,
      );
      expect((await other.put('/api/matters', { items: [] })).status, username).toBe(403);
      expect((await csvRequest(server.url, token, '/api/matters/import', csv)).status, username).toBe(403);
      expect((await other.get('/api/matters')).status, username).toBe(200);
    }
    expect(server.gw.app.matters.current().version).toBe(version);
  });

  it('refuses bad input with a 400 naming the item and field, and writes nothing', async () => {
    const version = server.gw.app.matters.current().version;
    const byCode = (code: string) => server.gw.app.matters.item(code)!;
    const patches: Array<[Record<string, unknown>, RegExp]> = [
      [
        { leadDepartment: 'ministry-of-magic' },
        /items\[\d+\] \(FIRE-03\): leadDepartment "ministry-of-magic" is not a known/,
      ],
      [{ acceptLimitS: -60 }, /FIRE-03\): acceptLimitS must be a whole number/],
      [{ nameZh: 'bad\u0000name' }, /FIRE-03\): nameZh must not contain control characters/],
      [{ tier: 'city' }, /tier/],
    ];
    for (const [body, message] of patches) {
      const res = await admin.patch('/api/matters/items/FIRE-03', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    const replaced = await admin.put('/api/matters', {
      items: [
        { ...byCode('FIRE-01'), nameEn: 'bad\u0000' },
        { ...byCode('FIRE-02'), verifyLimitS: 0 },
      ],
    });
    expect(replaced.status).toBe(400);
    expect(replaced.body.message).toMatch(/items\[0\] \(FIRE-01\): nameEn must not contain control/);
    expect(replaced.body.message).toMatch(/items\[1\] \(FIRE-02\): verifyLimitS/);

    const csv = (await csvRequest(server.url, adminToken, '/api/matters/export.csv')).text;
    const lines = csv.split('\r\n');
    // FIRE-02 (飞线充电, led by fire) sits on line `at + 1` of the file.
    const at = lines.findIndex((l) => l.startsWith('FIRE-02,'));
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at]!.replace(',fire,', ',nobody,');
    const badCsv = await csvRequest(server.url, adminToken, '/api/matters/import', lines.join('\r\n'));
    expect(badCsv.status).toBe(400);
    expect(badCsv.json().message).toContain(`line ${at + 1} (lead_department): leadDepartment "nobody"`);
    const withNul = await csvRequest(
      server.url,
      adminToken,
      '/api/matters/import',
      csv.replace('飞线充电', '飞线\u0000充电'),
    );
    expect(withNul.status).toBe(400);
    expect(withNul.json().message).toContain(
      `line ${at + 1} (name_zh): nameZh must not contain control characters`,
    );
    const oversize = `${csv}${'x'.repeat(600 * 1024)}`;
    const big = await csvRequest(server.url, adminToken, '/api/matters/import', oversize);
    expect(big.status).toBe(400);
    expect(big.json().message).toMatch(/^body: the CSV is \d+ bytes/);
    expect((await admin.patch('/api/matters/items/NOPE-99', { handleLimitS: 60 })).status).toBe(404);
    expect(server.gw.app.matters.current().version).toBe(version);
    expect((await admin.get<MatterVersion[]>('/api/matters/versions')).body[0]!.version).toBe(version);
  });
});
