import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/src/auth/demo-users.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, connectSocket, login } from '../support/clients.ts';
import { AT, devicePoint, districtGeoJson } from './regions-fixtures.ts';

/** An origin listed in ALLOWED_ORIGINS for this server. */
const PARTNER = 'https://wall.partner.example';
const EVIL = 'https://evil.example';

/**
 * Browser-side defences (security headers on every answer, the CSP a browser enforces) and
 * cross-site requests (Origin checked on every state-changing request and socket handshake,
 * JSON routes taking only JSON). The dashboard is a small stand-in build, so the test checks
 * the server's serving and not Vite's output; the real build runs under the CSP in tests/e2e.
 */
describe.each(availableBackends())('browser-side defences and cross-site requests (%s)', (backend) => {
  let server: TestServer;
  let dashboardDir: string;
  let own: string;
  let otherPort: string;
  let token: string;
  const p = uniqueId('ws');
  let n = 0;
  /** One GeoJSON device a request may import: a cheap state change to try from everywhere. */
  const aDeviceImport = () => ({
    type: 'FeatureCollection',
    features: [devicePoint(`${p}-${++n}`, 'camera', AT.g1a)],
  });

  /** A request as a browser page would send it: the session cookie, and Origin/Referer as given. */
  const fromPage = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        cookie: `gw_session=${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    dashboardDir = await mkdtemp(join(tmpdir(), 'gw-dashboard-'));
    await mkdir(join(dashboardDir, 'assets'));
    await writeFile(
      join(dashboardDir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>',
    );
    await writeFile(join(dashboardDir, 'assets', 'index-abc123.js'), 'document.title = "gw";\n');
    server = await startTestServer(backend, {
      DASHBOARD_DIR: dashboardDir,
      ALLOWED_ORIGINS: PARTNER,
      MQTT_ADMIN_USERNAME: '',
      MQTT_ADMIN_PASSWORD: '',
    });
    own = new URL(server.url).origin;
    const port = Number(new URL(server.url).port);
    otherPort = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`;
    const admin = api(server.url, await login(server.url));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
    token = await login(server.url, 'dispatcher', DEMO_PASSWORD);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dashboardDir, { recursive: true, force: true });
  });

  it('sends the CSP, no framing, nosniff and the referrer policy on pages, assets, the API and its errors', async () => {
    const answers = {
      'dashboard page': await fetch(`${server.url}/console`),
      'static asset': await fetch(`${server.url}/assets/index-abc123.js`),
      'API answer': await fetch(`${server.url}/api/alerts`, {
        headers: { authorization: `Bearer ${token}` },
      }),
      'API refusal': await fetch(`${server.url}/api/alerts`),
      'unknown path': await fetch(`${server.url}/nothing-here`),
      health: await fetch(`${server.url}/healthz`),
      'API docs': await fetch(`${server.url}/docs/static/index.html`),
    };
    expect(answers['dashboard page'].status).toBe(200);
    expect(await answers['dashboard page'].text()).toContain('<div id="app">');
    expect(answers['static asset'].status).toBe(200);
    expect(answers['API answer'].status).toBe(200);
    expect(answers['API refusal'].status).toBe(401);
    expect(answers['unknown path'].status).toBe(404);
    for (const [what, res] of Object.entries(answers)) {
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name, values.join(' ')]),
      );
      expect(directives.get('default-src'), what).toBe("'self'");
      expect(directives.get('script-src'), what).toBe("'self'");
      expect(directives.get('script-src-attr'), what).toBe("'none'");
      expect(directives.get('style-src'), what).toBe("'self'");
      expect(directives.get('worker-src'), what).toBe("'self'");
      expect(directives.get('connect-src'), what).toBe("'self'");
      expect(directives.get('object-src'), what).toBe("'none'");
      expect(directives.get('frame-ancestors'), what).toBe("'none'");
      expect(directives.get('report-uri'), what).toBe('/csp-reports');
      expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get('x-frame-options'), what).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), what).toBe('same-origin');
      expect(res.headers.get('access-control-allow-origin'), what).toBeNull();
    }
  });

  it('counts the violations browsers report', async () => {
    const report = {
      'csp-report': {
        'document-uri': `${own}/console`,
        'effective-directive': 'script-src-elem',
        'blocked-uri': 'inline',
      },
    };
    const res = await fetch(`${server.url}/csp-reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: JSON.stringify(report),
    });
    expect(res.status).toBe(204);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/gridwatch_csp_violations_total\{directive="script-src-elem"\} 1/);
  });

  it('refuses a state change from another origin (403) and takes it from its own pages and bearer clients', async () => {
    const path = '/api/devices/import';
    const refused: Array<[string, Record<string, string>, RegExp]> = [
      ['another site', { origin: EVIL }, /Origin https:\/\/evil\.example is not this centre/],
      ['another port of the same host', { origin: otherPort }, /is not this centre/],
      ['a sandboxed frame (Origin: null)', { origin: 'null' }, /names no http\(s\) origin/],
      ['another site named by Referer only', { referer: `${EVIL}/attack.html` }, /Referer https:\/\/evil/],
      ['a cookie naming no page', {}, /without Origin or Referer/],
    ];
    for (const [what, headers, message] of refused) {
      const res = await fromPage('POST', path, headers, aDeviceImport());
      expect(res.status, what).toBe(403);
      const body = await res.json();
      expect(body.code, what).toBe('GW_CROSS_ORIGIN');
      expect(body.message, what).toMatch(message);
    }
    const accepted: Array<[string, Record<string, string>]> = [
      ['its own page', { origin: own }],
      ['its own page named by Referer', { referer: `${own}/console/devices` }],
      ['an origin in ALLOWED_ORIGINS', { origin: PARTNER }],
    ];
    for (const [what, headers] of accepted) {
      const res = await fromPage('POST', path, headers, aDeviceImport());
      expect(res.status, what).toBe(200);
      expect((await res.json()).imported, what).toBe(1);
    }
    // A non-browser client: bearer token, no Origin.
    const bearer = await api(server.url, token).post(path, aDeviceImport());
    expect(bearer.status).toBe(200);
    expect(bearer.body.imported).toBe(1);
    // Every import that succeeded is there, none of the refused ones.
    const listed = await api(server.url, token).get(`/api/devices?q=${p}&limit=100`);
    expect(listed.body.total).toBe(accepted.length + 1);
    // Reads are not state changes: a cross-site read still needs the session, and gets no CORS grant.
    const read = await fromPage('GET', '/api/auth/me', { origin: EVIL });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a cross-site login and logout, so a foreign page can neither plant nor end a session', async () => {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: EVIL },
      body: JSON.stringify({ username: 'dispatcher', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(403);
    expect(login.headers.get('set-cookie')).toBeNull();
    const logout = await fromPage('POST', '/api/auth/logout', { origin: otherPort });
    expect(logout.status).toBe(403);
    expect((await fromPage('GET', '/api/auth/me', {})).status).toBe(200);
  });

  it('refuses a body of another type than the route documents (415), as a cross-site form would send', async () => {
    const csv = `id,kind,name,lon,lat\n${p}-csv,camera,CSV camera,${AT.g1a.join(',')}\n`;
    const client = api(server.url, token);
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await client.post('/api/devices/import', csv, type);
      expect(res.status, type).toBe(415);
      expect(res.body.code).toBe('GW_UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.message).toBe(
        `POST /api/devices/import takes application/json or text/csv, not ${type.split(';')[0]}`,
      );
    }
    const ack = await client.post(
      '/api/alerts/00000000-0000-4000-8000-000000000000/ack',
      '{"remark":"x"}',
      'text/plain',
    );
    expect(ack.status).toBe(415);
    expect(ack.body.message).toBe('POST /api/alerts/:id/ack takes application/json, not text/plain');
    expect((await client.get(`/api/devices/${p}-csv`)).status).toBe(404);
    // The documented CSV type is taken.
    const ok = await client.post('/api/devices/import', csv, 'text/csv');
    expect(ok.status).toBe(200);
    expect(ok.body.imported).toBe(1);
  });

  it('refuses a socket from another origin and a cookie-only socket naming no page; bearer and own pages connect', async () => {
    const attempt = (opts: Parameters<typeof io>[1]) =>
      new Promise<string>((resolve) => {
        const socket = io(server.url, { transports: ['websocket'], reconnection: false, ...opts });
        socket.once('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.once('connect_error', (err) => {
          socket.close();
          resolve(`refused: ${err.message}`);
        });
      });
    const cookie = `gw_session=${token}`;
    expect(await attempt({ extraHeaders: { cookie, origin: EVIL } })).toMatch(/^refused/);
    expect(await attempt({ extraHeaders: { cookie, origin: otherPort } })).toMatch(/^refused/);
    expect(await attempt({ extraHeaders: { cookie } })).toMatch(/^refused: .*without Origin or Referer/);
    expect(await attempt({ extraHeaders: { cookie, origin: own } })).toBe('connected');
    expect(await attempt({ extraHeaders: { cookie, origin: PARTNER } })).toBe('connected');
    expect(await attempt({ auth: { token } })).toBe('connected');
    // The HTTP handshake itself says why.
    const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { cookie, origin: EVIL },
    });
    expect(handshake.status).toBe(403);
    expect((await handshake.json()).message).toMatch(/Origin https:\/\/evil\.example is not this centre/);
    // Engine.IO answers outside Fastify, with the basics all the same.
    const open = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: own },
    });
    expect(open.status).toBe(200);
    expect(open.headers.get('x-content-type-options')).toBe('nosniff');
    expect(open.headers.get('x-frame-options')).toBe('DENY');
  });

  it('closes the sockets of a cookie session when its page logs out', async () => {
    const mine = await login(server.url, 'wall', DEMO_PASSWORD);
    const socket = io(server.url, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: `gw_session=${mine}`, origin: own },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const closed = new Promise<string>((r) => socket.once('disconnect', (reason) => r(reason)));
    const out = await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: `gw_session=${mine}`, origin: own },
    });
    expect(out.status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    const bearer = await connectSocket(server.url, token);
    expect(bearer.connected).toBe(true);
    bearer.close();
  });
});
