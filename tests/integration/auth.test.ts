import { createHash } from 'node:crypto';
import type { User } from '@gridwatch/devices';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer } from '../support/backends.ts';
import { ADMIN, api, connectSocket, login } from '../support/clients.ts';
import { DEMO_PASSWORD, S01, seedRegions } from './alerts-fixtures.ts';

const LOGIN_RATE_MAX = 10;
let nextAddress = 1;
/** A fresh client address per call: TRUST_PROXY lets tests speak for many addresses. */
const anAddress = () => `198.51.100.${nextAddress++}`;

async function loginFrom(url: string, address: string, username: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as {
    token: string;
    user: User;
    notice?: { failedAttempts: number; lastFailedAt: string | null; previousLoginAt: string | null };
    code?: string;
    message?: string;
  };
  return { status: res.status, headers: res.headers, body };
}

describe.each(availableBackends())('auth and access (%s)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend, { TRUST_PROXY: 'true', LOGIN_RATE_MAX: String(LOGIN_RATE_MAX) });
    await seedRegions(server.pool);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 401 on every /api route without a valid session', async () => {
    const app = server.gw.app;
    const all = app.auth.apiRoutes.filter((r) => !(r.method === 'POST' && r.url === '/api/auth/login'));
    // Public routes are few and named here: a route made public by mistake fails this test.
    expect(all.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/resident/reports',
    ]);
    const routes = all.filter((r) => r.auth !== 'public');
    // The guard's own list must cover everything the OpenAPI description knows.
    const documented = Object.entries((app.swagger() as { paths: Record<string, object> }).paths)
      .filter(([path]) => path.startsWith('/api'))
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
    const guarded = new Set(all.map((r) => `${r.method} ${r.url}`));
    for (const op of documented) if (op !== 'POST /api/auth/login') expect(guarded).toContain(op);
    for (const op of ['GET /api/alerts', 'POST /api/alerts/:id/ack', 'GET /api/users', 'GET /api/auth/me']) {
      expect(guarded).toContain(op);
    }

    const expired = `expired-${createHash('sha256').update(String(Math.random())).digest('hex')}`;
    const credentials: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['garbage bearer', { authorization: 'Bearer not-a-session-token-at-all-0000000000' }],
      ['garbage cookie', { cookie: 'gw_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
      ['non-bearer scheme', { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` }],
      ['expired-looking token', { authorization: `Bearer ${expired}` }],
    ];
    let checked = 0;
    for (const route of routes) {
      const url = route.url.replace(/:[A-Za-z_]+/g, '00000000-0000-4000-8000-000000000000').replace('*', 'x');
      for (const [what, headers] of credentials) {
        const res = await app.inject({
          method: route.method as 'GET',
          url,
          headers: route.method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
          payload:
            route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH' ? '{}' : undefined,
        });
        expect(res.statusCode, `${route.method} ${url} with ${what}`).toBe(401);
        if (route.method !== 'HEAD') expect(res.json()).toMatchObject({ code: 'GW_UNAUTHORIZED' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(routes.length * credentials.length);
    expect(routes.length).toBeGreaterThanOrEqual(8);
    // Spellings of a guarded path either reach the guard or no route at all.
    for (const url of [
      '/%61pi/alerts',
      '/API/alerts',
      '/api//alerts',
      '/api/alerts/',
      '/api/./alerts',
      '/api/alerts?x=1',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect([401, 404], url).toContain(res.statusCode);
    }
    // A real session does pass: the 401s above are the guard, not a broken route.
    const token = await login(server.url);
    expect((await api(server.url, token).get('/api/auth/me')).status).toBe(200);
  });

  it('logs in with a session cookie or bearer token, stores only a hash, and logs out', async () => {
    const res = await loginFrom(server.url, anAddress(), ADMIN.username, ADMIN.password);
    expect(res.status).toBe(200);
    const { token, user } = res.body;
    expect(user).toEqual({
      username: 'admin',
      displayName: expect.any(String),
      role: 'commander',
      roles: ['commander'],
      regionId: 'D610104',
      unitId: 'centre:D610104',
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^gw_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const stored = await server.pool.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    const hashes = stored.rows.map((r) => r.token_hash);
    expect(hashes).toContain(createHash('sha256').update(token).digest('hex'));
    expect(hashes).not.toContain(token);

    const byCookie = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: `gw_session=${token}` } });
    expect(byCookie.status).toBe(200);
    expect((await byCookie.json()).username).toBe('admin');
    const client = api(server.url, token);
    expect((await client.get('/api/auth/me')).body.role).toBe('commander');
    expect((await client.post('/api/auth/logout')).status).toBe(200);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await loginFrom(server.url, anAddress(), 'dispatcher', 'not-the-password');
    const unknown = await loginFrom(server.url, anAddress(), 'nobody-here', 'whatever-pass');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'GW_LOGIN_FAILED', message: 'wrong username or password' });
    }
  });

  it('slows brute force on one username from one address, even with the right password, and not on others', async () => {
    const victim = 'officer-s03';
    const attacker = anAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await loginFrom(server.url, attacker, victim, `guess-${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    const locked = await loginFrom(server.url, attacker, victim, DEMO_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('GW_LOGIN_THROTTLED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Another user is unaffected, even from the same address.
    expect((await loginFrom(server.url, attacker, 'officer-s04', DEMO_PASSWORD)).status).toBe(200);
    // The lock grows: one more wrong guess after it lapses locks for longer.
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await loginFrom(server.url, attacker, victim, 'guess-again')).status).toBe(401);
    const longer = await loginFrom(server.url, attacker, victim, DEMO_PASSWORD);
    expect(longer.status).toBe(429);
    expect(longer.body.code).toBe('GW_LOGIN_THROTTLED');
    expect(Number(longer.headers.get('retry-after'))).toBeGreaterThan(retryAfter);
  });

  it('counts parallel guesses before checking them', async () => {
    const victim = 'officer-s05';
    const attacker = anAddress();
    // As many as the per-address rate limit lets through, so every answer is the username lock's.
    const burst = await Promise.all(
      Array.from({ length: LOGIN_RATE_MAX }, (_, i) =>
        loginFrom(server.url, attacker, victim, `parallel-${i}`),
      ),
    );
    const statuses = burst.map((r) => r.status);
    // Three free attempts, the fourth sets the lock: at most four get their password checked.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(burst.filter((r) => r.body.code === 'GW_LOGIN_THROTTLED').length).toBeGreaterThanOrEqual(
      LOGIN_RATE_MAX - 4,
    );
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('a stranger failing logins for an officer locks only their own address, and the officer is told', async () => {
    const officer = 'officer-s06';
    const stranger = anAddress();
    const home = anAddress();
    // The officer's previous login, so "since your last login" has a start.
    const first = await loginFrom(server.url, home, officer, DEMO_PASSWORD);
    expect(first.status).toBe(200);
    expect(first.body.notice).toMatchObject({ failedAttempts: 0, lastFailedAt: null });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await loginFrom(server.url, stranger, officer, `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect((await loginFrom(server.url, stranger, officer, DEMO_PASSWORD)).status).toBe(429);

    const back = await loginFrom(server.url, home, officer, DEMO_PASSWORD);
    expect(back.status).toBe(200);
    // Four wrong passwords were checked; the refused attempts never reached the password.
    expect(back.body.notice).toMatchObject({
      failedAttempts: 4,
      lastFailedAt: expect.any(String),
      previousLoginAt: expect.any(String),
    });
    expect(Date.parse(back.body.notice!.lastFailedAt!)).toBeGreaterThan(
      Date.parse(back.body.notice!.previousLoginAt!),
    );
    // Told once: the next login starts from zero.
    expect((await loginFrom(server.url, home, officer, DEMO_PASSWORD)).body.notice?.failedAttempts).toBe(0);
  });

  it('limits login attempts per address', async () => {
    const address = anAddress();
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_RATE_MAX + 2; i++) {
      // A different unknown name each time, so only the per-address limit can bite.
      statuses.push((await loginFrom(server.url, address, `nobody-${i}`, 'wrong-password')).status);
    }
    expect(statuses.slice(0, LOGIN_RATE_MAX)).toEqual(Array(LOGIN_RATE_MAX).fill(401));
    expect(statuses.slice(LOGIN_RATE_MAX)).toEqual([429, 429]);
    // The right password from the blocked address is refused too; another address logs in.
    expect((await loginFrom(server.url, address, ADMIN.username, ADMIN.password)).status).toBe(429);
    expect((await loginFrom(server.url, anAddress(), ADMIN.username, ADMIN.password)).status).toBe(200);
  });

  it('lets only commanders manage users, inside their region', async () => {
    const admin = api(
      server.url,
      (await loginFrom(server.url, anAddress(), 'admin', ADMIN.password)).body.token,
    );
    const dispatcher = api(
      server.url,
      (await loginFrom(server.url, anAddress(), 'dispatcher', DEMO_PASSWORD)).body.token,
    );
    const newUser = {
      username: `officer-${Date.now()}`,
      password: 'a-long-password',
      displayName: '新值班员 New officer',
      role: 'officer',
      regionId: `${S01}-C01-G01`,
    };
    expect((await dispatcher.post('/api/users', newUser)).status).toBe(403);
    expect((await dispatcher.get('/api/users')).status).toBe(403);
    const created = await admin.post('/api/users', newUser);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      username: newUser.username,
      displayName: newUser.displayName,
      role: 'officer',
      roles: ['officer'],
      regionId: newUser.regionId,
      unitId: null,
      disabledAt: null,
      grids: [],
    });
    expect((await admin.post('/api/users', newUser)).status).toBe(409);
    expect(
      (await admin.post('/api/users', { ...newUser, username: 'x-unknown', regionId: 'NOWHERE' })).status,
    ).toBe(400);
    expect(
      (await admin.post('/api/users', { ...newUser, username: 'x-short', password: 'short' })).status,
    ).toBe(400);
    const listed = await admin.get('/api/users');
    expect(listed.body.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['admin', 'dispatcher', 'wall', 'officer-s01', 'officer-s09', newUser.username]),
    );
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt|password/i);
    const res = await loginFrom(server.url, anAddress(), newUser.username, newUser.password);
    expect(res.status).toBe(200);
    expect(res.body.user.regionId).toBe(newUser.regionId);
  });

  it('refuses a Socket.IO connection without a valid session', async () => {
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
    expect(await attempt({})).toMatch(/^refused: unauthorized/);
    expect(await attempt({ auth: { token: 'forged-token-forged-token-forged-token-1234' } })).toMatch(
      /^refused: unauthorized/,
    );
    expect(
      await attempt({ extraHeaders: { cookie: 'gw_session=forged-token-forged-token-forged-1234' } }),
    ).toMatch(/^refused: unauthorized/);
    const token = await login(server.url, 'wall', DEMO_PASSWORD);
    // The cookie counts from the centre's own pages (web-security.test.ts has the rest).
    expect(await attempt({ extraHeaders: { cookie: `gw_session=${token}`, origin: server.url } })).toBe(
      'connected',
    );
    const socket = await connectSocket(server.url, token);
    expect(socket.connected).toBe(true);
    // Logging out closes that session's sockets.
    const closed = new Promise<string>((r) => socket.once('disconnect', (reason) => r(reason)));
    await api(server.url, token).post('/api/auth/logout');
    expect(await closed).toBe('io server disconnect');
    expect(await attempt({ auth: { token } })).toMatch(/^refused: unauthorized/);
  });
});
