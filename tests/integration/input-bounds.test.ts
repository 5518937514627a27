import type { AckResult, Alert } from '@gridwatch/devices';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT } from '../../server/src/app.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, connectSocket, login } from '../support/clients.ts';
import { aDevice, aFinding, DEMO_PASSWORD, S01, seedRegions } from './alerts-fixtures.ts';

/** Route families whose every input this file holds to bounds (new families add themselves here). */
const AUDITED = ['/api/auth', '/api/users', '/api/alerts', '/api/devices', '/api/regions', '/api/stats'];
/** Strings that may hold anything within their length: never stored as text. */
const FREE_TEXT = new Set([
  'POST /api/auth/login body.password',
  'POST /api/users body.password',
  'POST /api/users/:username/password body.password',
]);
/** Bodies checked row by row by their parser (per-row errors), bounded by the route's body limit. */
const PARSED_BODIES = new Set(['POST /api/devices/import', 'POST /api/regions/import']);

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | Schema;
  maxProperties?: number;
};

/** Every input field of a schema that lacks a bound: an unbounded string or number. */
function unbounded(schema: Schema | undefined, path: string, op: string): string[] {
  if (!schema) return [];
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  if (nested.length) return nested.flatMap((s) => unbounded(s, path, op));
  if (schema.enum || schema.const !== undefined) return [];
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out: string[] = [];
  if (type.includes('string')) {
    if (schema.maxLength === undefined) out.push(`${path} has no maxLength`);
    if (!schema.pattern && !schema.format && !FREE_TEXT.has(`${op} ${path}`))
      out.push(`${path} lets control characters through`);
  }
  if (type.includes('number') || type.includes('integer')) {
    if (schema.minimum === undefined || schema.maximum === undefined) out.push(`${path} has no range`);
  }
  if (schema.properties)
    for (const [k, v] of Object.entries(schema.properties)) out.push(...unbounded(v, `${path}.${k}`, op));
  if (schema.items) out.push(...unbounded(schema.items, `${path}[]`, op));
  return out;
}

describe.each(availableBackends())('input bounds on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let alertId: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend, { LOGIN_RATE_MAX: '100' });
    await seedRegions(server.pool);
    admin = api(server.url, await login(server.url));
    const device = await aDevice(server.pool, { street: S01 });
    await server.gw.app.alerts.apply([aFinding(device)]);
    const [alert] = (await admin.get(`/api/alerts?deviceId=${device}`)).body.items as Alert[];
    alertId = alert!.id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  /** Expects a 400 whose message names `field`. */
  const refused = (res: { status: number; body: { message?: string } }, field: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.message).toContain(field);
  };

  it('bounds every string and number every audited route takes', () => {
    const doc = server.gw.app.swagger() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Array<{ in: string; name: string; schema: Schema }>;
            requestBody?: { content: Record<string, { schema: Schema }> };
          }
        >
      >;
    };
    const problems: string[] = [];
    let inputs = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!AUDITED.some((prefix) => path.startsWith(prefix))) continue;
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        for (const p of op.parameters ?? []) {
          inputs++;
          problems.push(...unbounded(p.schema, `${p.in}.${p.name}`, name).map((x) => `${name}: ${x}`));
        }
        if (op.requestBody && !PARSED_BODIES.has(name))
          for (const { schema } of Object.values(op.requestBody.content)) {
            inputs++;
            problems.push(...unbounded(schema, 'body', name).map((x) => `${name}: ${x}`));
          }
      }
    }
    expect(inputs).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('auth and users: a NUL or control character is a 400 naming the field', async () => {
    const res = await api(server.url).post('/api/auth/login', {
      username: 'officer-s01\u0000',
      password: 'x',
    });
    refused(res, 'body/username');
    const user = {
      username: uniqueId('u'),
      password: 'long-enough-password',
      role: 'officer',
      regionId: S01,
    };
    refused(await admin.post('/api/users', { ...user, displayName: 'bad\u0000name' }), 'body/displayName');
    refused(await admin.post('/api/users', { ...user, displayName: 'bell\u0007' }), 'body/displayName');
    refused(await admin.post('/api/users', { ...user, displayName: 'x'.repeat(101) }), 'body/displayName');
    // Ordinary names in either script pass.
    expect((await admin.post('/api/users', { ...user, displayName: '值班员 Duty officer' })).status).toBe(
      201,
    );
  });

  it('alerts over REST: remarks, ids and paging are bounded', async () => {
    refused(await admin.post(`/api/alerts/${alertId}/ack`, { remark: 'on\u0000my way' }), 'body/remark');
    refused(await admin.post(`/api/alerts/${alertId}/resolve`, { remark: 'done\u0000' }), 'body/remark');
    refused(await admin.get('/api/alerts/%00'), 'params/id');
    refused(await admin.get('/api/alerts?cause=%00'), 'querystring/cause');
    refused(await admin.get('/api/alerts?offset=1e20'), 'querystring/offset');
    expect((await admin.get(`/api/alerts/${alertId}`)).body.state).toBe('active');
    // A remark over several lines is a remark.
    const ok = await admin.post(`/api/alerts/${alertId}/ack`, { remark: '已到场\n情况正常\tOK' });
    expect(ok.status).toBe(200);
    expect(ok.body.ackRemark).toBe('已到场\n情况正常\tOK');
  });

  it('alert:ack over the socket answers an error naming the field', async () => {
    const device = await aDevice(server.pool, { street: S01 });
    await server.gw.app.alerts.apply([aFinding(device)]);
    const [alert] = (await admin.get(`/api/alerts?deviceId=${device}`)).body.items as Alert[];
    const socket = await connectSocket(server.url, await login(server.url, 'officer-s01', DEMO_PASSWORD));
    sockets.push(socket);
    const ack = (request: unknown) =>
      new Promise<AckResult>((resolve) => (socket as Socket).emit('alert:ack', request, resolve));
    expect(await ack({ id: alert!.id, remark: 'a\u0000b' })).toEqual({
      ok: false,
      error: 'remark must not contain control characters other than tab and line breaks',
    });
    expect(await ack({ id: 'x\u0000' })).toMatchObject({ ok: false, error: expect.stringMatching(/^id /) });
    expect(await ack({ id: alert!.id, remark: 7 })).toEqual({ ok: false, error: 'remark must be string' });
    expect(await ack('not an object')).toEqual({ ok: false, error: 'request must be object' });
    expect((await admin.get(`/api/alerts/${alert!.id}`)).body.state).toBe('active');
    expect(await ack({ id: alert!.id, remark: 'ok' })).toMatchObject({
      ok: true,
      alert: { state: 'acknowledged' },
    });
  });

  it('devices, telemetry, regions and stats: out-of-bounds input is a 400 naming the field', async () => {
    refused(await admin.get('/api/devices?offset=1e20'), 'querystring/offset');
    refused(await admin.get('/api/devices?q=%00'), 'querystring/q');
    const device = { id: uniqueId('chg'), kind: 'charger', lon: 108.93, lat: 34.27 };
    refused(await admin.post('/api/devices', { ...device, name: 'a\u0000b' }), 'body/name');
    refused(await admin.post('/api/devices', { ...device, name: 'n', lon: 1e20 }), 'body/lon');
    expect((await admin.post('/api/devices', { ...device, name: '充电桩 1' })).status).toBe(201);
    refused(
      await admin.get(`/api/devices/${device.id}/telemetry?metric=powerKw&from=%00`),
      'querystring/from',
    );
    refused(await admin.get('/api/stats/top-communities?limit=1e20'), 'querystring/limit');
    const region = await admin.post('/api/regions/import', {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 'X-NUL', level: 'district', name: 'bad\u0000' },
          geometry: null,
        },
      ],
    });
    refused(region, 'NUL');
  });

  it('reads a large body only on imports, and never before login', async () => {
    const { app } = server.gw;
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(10 * 1024 * 1024) });
    const loginRes = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    expect(loginRes.statusCode).toBe(413);
    const token = await login(server.url);
    const remark = await app.inject({
      method: 'POST',
      url: `/api/alerts/${alertId}/ack`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify({ remark: 'x'.repeat(64 * 1024) }),
    });
    expect(remark.statusCode).toBe(413);
    // An import larger than the default limit is read (every row refused here: no kind "toaster").
    const rows = Array.from({ length: 12_000 }, (_, i) => `bulk-${i},toaster,n,108.9,34.2,`);
    const csv = ['id,kind,name,lon,lat,site', ...rows].join('\n');
    expect(Buffer.byteLength(csv)).toBeGreaterThan(DEFAULT_BODY_LIMIT);
    const imported = await admin.post('/api/devices/import', csv, 'text/csv');
    expect(imported.status, JSON.stringify(imported.body).slice(0, 200)).toBe(200);
    expect(imported.body).toMatchObject({ imported: 0 });
    expect(imported.body.errors.length).toBeGreaterThan(0);
  });
});
