import type { ManagedUser, Unit } from '@gridwatch/devices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer } from '../support/backends.ts';
import { api, connectSocket, login, waitFor } from '../support/clients.ts';
import { DEMO_PASSWORD } from './alerts-fixtures.ts';
import { C1, C2, DISTRICT, districtGeoJson, G1A, G1B, S1, S2 } from './regions-fixtures.ts';

type Client = ReturnType<typeof api>;

describe.each(availableBackends())('organisation: units, users, duty (%s)', (backend) => {
  let server: TestServer;
  let admin: Client;
  const password = 'a-long-password';

  /** Creates a user as admin and returns a client logged in as them. */
  async function aUser(
    body: Record<string, unknown>,
  ): Promise<{ user: ManagedUser; client: Client; token: string }> {
    const created = await admin.post<ManagedUser>('/api/users', {
      password,
      displayName: String(body.username),
      ...body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const token = await login(server.url, String(body.username), password);
    return { user: created.body, client: api(server.url, token), token };
  }

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url));
    const imported = await admin.post('/api/regions/import', districtGeoJson());
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('derives one centre per district, street and community from the imported regions, beside the departments', async () => {
    const units = await waitFor(async () => {
      const res = await admin.get<Unit[]>('/api/units');
      return res.body.some((u) => u.id === `centre:${C2}`) ? res.body : null;
    });
    const byId = new Map(units.map((u) => [u.id, u]));
    expect(byId.get(`centre:${DISTRICT}`)).toMatchObject({
      kind: 'district-centre',
      regionId: DISTRICT,
      parentId: null,
    });
    expect(byId.get(`centre:${S1}`)).toMatchObject({
      kind: 'street-centre',
      regionId: S1,
      parentId: `centre:${DISTRICT}`,
    });
    expect(byId.get(`centre:${C1}`)).toMatchObject({
      kind: 'community-centre',
      nameZh: '一社区综治中心',
      parentId: `centre:${S1}`,
    });
    // Grids have teams, not centres.
    expect(units.filter((u) => u.regionId === G1A)).toEqual([]);
    expect(units.filter((u) => u.kind !== 'department')).toHaveLength(5);
    for (const type of [
      'police',
      'market-regulation',
      'urban-management',
      'fire',
      'power-supply',
      'property',
    ]) {
      expect(byId.get(`dept:${type}`)).toMatchObject({
        kind: 'department',
        departmentType: type,
        enabled: true,
      });
    }
    // The decorator other domains use answers the same, synchronously.
    const org = server.gw.app.organisation;
    expect(org.centreOf(G1B)?.id).toBe(`centre:${C1}`);
    expect(org.centreOf(S2)?.id).toBe(`centre:${S2}`);
    expect(org.department('fire')?.id).toBe('dept:fire');
    expect(org.unit(`centre:${S1}`)?.kind).toBe('street-centre');
  });

  it('creates, edits and disables a user: disabled means no login, no session, socket closed; all audited', async () => {
    const { user, client, token } = await aUser({
      username: 'handler-one',
      roles: ['handler', 'verifier'],
      regionId: S1,
      unitId: `centre:${S1}`,
      grids: [{ gridId: G1A, teamRole: 'grid-officer' }],
    });
    expect(user).toMatchObject({
      role: 'handler',
      roles: ['handler', 'verifier'],
      unitId: `centre:${S1}`,
      disabledAt: null,
    });
    expect((await client.get('/api/auth/me')).body).toMatchObject({
      username: 'handler-one',
      roles: ['handler', 'verifier'],
    });
    const org = server.gw.app.organisation;
    expect(org.gridTeam(G1A)).toContainEqual({ userId: 'handler-one', teamRole: 'grid-officer' });
    // The demo grid officer of this grid keeps no roster; once someone of the team is on a
    // shift, the one on shift is the one to send a task to.
    expect(org.gridOfficerOnDuty(G1A, new Date())).toBe('grid-s01-c01-g01');
    const shift = await admin.post('/api/duty', {
      unitId: `centre:${C1}`,
      userId: 'handler-one',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(shift.status, JSON.stringify(shift.body)).toBe(201);
    expect(org.gridOfficerOnDuty(G1A, new Date())).toBe('handler-one');
    expect(org.onDuty(`centre:${C1}`, new Date())).toEqual(['handler-one']);

    const edited = await admin.patch<ManagedUser>('/api/users/handler-one', {
      displayName: '处置员一 Handler one',
      roles: ['grid-officer', 'verifier'],
      grids: [{ gridId: G1B, teamRole: 'grid-chief' }],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({
      displayName: '处置员一 Handler one',
      role: 'grid-officer',
      roles: ['grid-officer', 'verifier'],
      grids: [{ gridId: G1B, teamRole: 'grid-chief' }],
    });
    expect(org.gridTeam(G1A).map((m) => m.userId)).not.toContain('handler-one');
    expect(org.gridTeam(G1B)).toContainEqual({ userId: 'handler-one', teamRole: 'grid-chief' });
    // The session carries the user as stored now.
    expect((await client.get('/api/auth/me')).body.role).toBe('grid-officer');

    const socket = await connectSocket(server.url, token);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const disabled = await admin.post<ManagedUser>('/api/users/handler-one/disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).toEqual(expect.any(String));
    expect(await closed).toBe('io server disconnect');
    expect((await client.get('/api/auth/me')).status).toBe(401);
    const refused = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'handler-one', password }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'GW_USER_DISABLED' });
    expect(org.user('handler-one')?.disabled).toBe(true);
    expect(org.gridTeam(G1B).map((m) => m.userId)).not.toContain('handler-one');
    expect(org.onDuty(`centre:${C1}`, new Date())).toEqual([]);

    // Enabled again, with a password reset: the new password works, the old one does not.
    expect((await admin.post('/api/users/handler-one/enable')).status).toBe(200);
    expect(
      (await admin.post('/api/users/handler-one/password', { password: 'another-long-password' })).status,
    ).toBe(200);
    await expect(login(server.url, 'handler-one', password)).rejects.toThrow(/401/);
    expect(await login(server.url, 'handler-one', 'another-long-password')).toEqual(expect.any(String));

    const audit = await admin.get<
      Array<{ actor: string; action: string; at: string; changes: Record<string, unknown> }>
    >('/api/organisation/audit?targetType=user&targetId=handler-one');
    expect(audit.status).toBe(200);
    expect(audit.body.map((e) => e.action)).toEqual([
      'user.password-reset',
      'user.enable',
      'user.disable',
      'user.update',
      'user.create',
    ]);
    expect(audit.body.every((e) => e.actor === 'admin' && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(audit.body[3]!.changes).toMatchObject({
      displayName: { from: 'handler-one', to: '处置员一 Handler one' },
      roles: { from: ['handler', 'verifier'], to: ['grid-officer', 'verifier'] },
    });
    expect(JSON.stringify(audit.body)).not.toMatch(/another-long-password|a-long-password|scrypt/);
  });

  it('lets only commanders manage users: every other role gets 403 and nothing changes', async () => {
    await aUser({ username: 'target-user', role: 'officer', regionId: S1 });
    for (const username of ['dispatcher', 'wall', 'officer-s01']) {
      const other = api(server.url, await login(server.url, username, DEMO_PASSWORD));
      const attempts = await Promise.all([
        other.get('/api/users'),
        other.get('/api/users/target-user'),
        other.post('/api/users', {
          username: `x-${username}`,
          password,
          displayName: 'x',
          role: 'viewer',
          regionId: S1,
        }),
        other.patch('/api/users/target-user', { displayName: 'hacked' }),
        other.post('/api/users/target-user/disable'),
        other.post('/api/users/target-user/password', { password: 'hijacked-password' }),
        other.put('/api/users/target-user/grids', { grids: [] }),
        other.patch(`/api/units/centre:${S1}`, { nameZh: 'hacked' }),
      ]);
      expect(
        attempts.map((a) => a.status),
        username,
      ).toEqual(Array(attempts.length).fill(403));
    }
    const target = await admin.get<ManagedUser>('/api/users/target-user');
    expect(target.body).toMatchObject({ displayName: 'target-user', disabledAt: null });
    expect(await login(server.url, 'target-user', password)).toEqual(expect.any(String));
  });

  it('keeps a street commander and a street dispatcher inside their own street', async () => {
    await aUser({ username: 'in-street-one', role: 'handler', regionId: C1 });
    const { client: s2Commander } = await aUser({
      username: 'commander-s2',
      role: 'commander',
      regionId: S2,
    });
    const { client: s2Dispatcher } = await aUser({
      username: 'dispatcher-s2',
      role: 'dispatcher',
      regionId: S2,
    });
    expect((await s2Commander.get('/api/users/in-street-one')).status).toBe(403);
    expect((await s2Commander.patch('/api/users/in-street-one', { displayName: 'x' })).status).toBe(403);
    expect((await s2Commander.post('/api/users/in-street-one/disable')).status).toBe(403);
    expect(
      (
        await s2Commander.post('/api/users', {
          username: 'sneaky',
          password,
          displayName: 'x',
          role: 'viewer',
          regionId: C1,
        })
      ).status,
    ).toBe(403);
    const listed = await s2Commander.get<ManagedUser[]>('/api/users');
    expect(listed.body.map((u) => u.username)).toContain('dispatcher-s2');
    expect(listed.body.map((u) => u.username)).not.toContain('in-street-one');
    // Inside their own street they do manage.
    expect(
      (
        await s2Commander.post('/api/users', {
          username: 'in-street-two',
          password,
          displayName: 'x',
          role: 'handler',
          regionId: C2,
        })
      ).status,
    ).toBe(201);

    const shift = (unitId: string, userId: string) => ({
      unitId,
      userId,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await s2Dispatcher.post('/api/duty', shift(`centre:${S1}`, 'in-street-one'))).status).toBe(403);
    expect((await s2Dispatcher.post('/api/duty', shift(`centre:${C1}`, 'in-street-one'))).status).toBe(403);
    const ok = await s2Dispatcher.post('/api/duty', shift(`centre:${C2}`, 'in-street-two'));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(server.gw.app.organisation.onDuty(`centre:${C2}`, new Date())).toEqual(['in-street-two']);
    const now = await s2Dispatcher.get<Array<{ unitId: string; userIds: string[] }>>('/api/duty/now');
    expect(now.body.find((u) => u.unitId === `centre:${C2}`)?.userIds).toEqual(['in-street-two']);
    expect(now.body.some((u) => u.unitId === `centre:${S1}`)).toBe(false);
    expect((await s2Dispatcher.del(`/api/duty/${ok.body.id}`)).status).toBe(200);
    expect(server.gw.app.organisation.onDuty(`centre:${C2}`, new Date())).toEqual([]);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const base = { password, displayName: 'ok', role: 'handler', regionId: S1 };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, username: 'bad-unit', unitId: 'dept:nonexistent' }, /unitId/],
      [{ ...base, username: 'bad-name', displayName: 'evil\u0000name' }, /displayName/],
      [
        { ...base, username: 'bad-grid', grids: [{ gridId: S1, teamRole: 'grid-officer' }] },
        /grids\[0\]\.gridId/,
      ],
      [{ ...base, username: 'bad-team', grids: [{ gridId: G1A, teamRole: 'captain' }] }, /teamRole/],
      [{ ...base, username: 'bad-role', role: 'king' }, /role/],
      [{ ...base, username: 'bad-region', regionId: 'NOWHERE' }, /regionId/],
      [{ ...base, username: 'bad-roles', role: 'viewer', roles: ['handler'] }, /role/],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post<{ message: string }>('/api/users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(field);
    }
    expect((await admin.get<ManagedUser[]>('/api/users')).body.map((u) => u.username)).not.toContain(
      'bad-unit',
    );
    expect((await admin.post('/api/users/admin/disable')).status).toBe(409);
  });
});
