import type { Case, CaseDetail, ClientToServerEvents, ServerToClientEvents } from '@gridwatch/devices';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, apiRequest, connectSocket, login, waitFor } from '../support/clients.ts';
import { aDevice, aFinding, DEMO_PASSWORD } from './alerts-fixtures.ts';
import { aPng, upload } from './attachments-fixtures.ts';
import { AT, C1, districtGeoJson, G1A, G2A, S1 } from './regions-fixtures.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Client = ReturnType<typeof api>;

/** Matter items of the default catalogue: ORDER-06 (grid tier, verification, no photo), FIRE-05 (photo required). */
const ITEM = 'ORDER-06';
const PHOTO_ITEM = 'FIRE-05';
const CENTRE_C1 = `centre:${C1}`;
const GRID_OFFICER = 'grid-s01-c01-g01';
const OTHER_GRID_OFFICER = 'grid-s01-c01-g02';
const VERIFIER = 'chief-s01-c01';

/** Every case event a socket receives. */
function record(socket: ClientSocket) {
  const seen: Array<{ event: 'case:new' | 'case:update'; item: Case }> = [];
  socket.on('case:new', (item) => seen.push({ event: 'case:new', item }));
  socket.on('case:update', (item) => seen.push({ event: 'case:update', item }));
  return seen;
}

describe.each(availableBackends())('cases (%s)', (backend) => {
  let server: TestServer;
  let admin: Client;
  const as: Record<string, Client> = {};
  const sockets: ClientSocket[] = [];
  let hotlineKey: string;

  const user = async (username: string) => {
    as[username] ??= api(server.url, await login(server.url, username, DEMO_PASSWORD));
    return as[username]!;
  };
  const open = async (username: string) => {
    const socket = await connectSocket(server.url, await login(server.url, username, DEMO_PASSWORD));
    sockets.push(socket);
    return socket;
  };
  const detail = async (id: string, by = 'dispatcher') =>
    (await (await user(by)).get<CaseDetail>(`/api/cases/${id}`)).body;
  /** One step on the version the actor sees now; returns the response. */
  const act = async (by: string, id: string, action: string, extra: Record<string, unknown> = {}) => {
    const { version } = await detail(id, by);
    return (await user(by)).post(`/api/cases/${id}/transitions`, { action, version, ...extra });
  };
  const ok = async (by: string, id: string, action: string, extra: Record<string, unknown> = {}) => {
    const res = await act(by, id, action, extra);
    expect(res.status, `${action} by ${by}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body as Case;
  };
  /** Dispatched to the grid's community centre and officer, then handled, verified and closed. */
  const runLoop = async (id: string) => {
    await ok('dispatcher', id, 'dispatch', { unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    await ok(GRID_OFFICER, id, 'receive');
    await ok(GRID_OFFICER, id, 'start');
    await ok(GRID_OFFICER, id, 'submit-feedback', { remark: '已登记 registered' });
    await ok(VERIFIER, id, 'verify');
    return ok('dispatcher', id, 'close', { remark: '办结' });
  };
  const count = async (sql: string, params: unknown[] = []) =>
    (await server.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = api(server.url, await login(server.url, 'admin', server.env.ADMIN_PASSWORD));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
    await server.gw.app.organisation.refresh();
    const created = await admin.post('/api/hotline-systems', {
      id: 'hotline-12345',
      name: '12345 政务服务热线',
    });
    expect(created.status).toBe(201);
    hotlineKey = created.body.key;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a patrol report runs the whole loop, every step recorded', async () => {
    const officer = await user(GRID_OFFICER);
    const reported = await officer.post<Case>('/api/cases', {
      source: 'patrol',
      description: '3号楼新入住租户未登记',
      matterItem: ITEM,
      lon: AT.g1a[0],
      lat: AT.g1a[1],
    });
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({
      source: 'patrol',
      state: 'reported',
      version: 1,
      matterItem: ITEM,
      path: { street: S1, community: C1, grid: G1A },
      reporterKind: 'user',
      reporterId: GRID_OFFICER,
    });
    expect(reported.body.matterVersion).toBeGreaterThanOrEqual(1);
    const id = reported.body.id;

    const suggestion = (await detail(id)).suggestion;
    expect(suggestion).toMatchObject({ unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    await ok('dispatcher', id, 'accept');
    const closed = await runLoop(id);
    expect(closed).toMatchObject({
      state: 'closed',
      unitId: CENTRE_C1,
      assigneeId: GRID_OFFICER,
      version: 8,
    });
    expect(closed.closedAt).not.toBeNull();

    const d = await detail(id);
    expect(d.transitions.map((t) => [t.action, t.from, t.to, t.by])).toEqual([
      ['report', null, 'reported', GRID_OFFICER],
      ['accept', 'reported', 'accepted', 'dispatcher'],
      ['dispatch', 'accepted', 'dispatched', 'dispatcher'],
      ['receive', 'dispatched', 'received', GRID_OFFICER],
      ['start', 'received', 'in-progress', GRID_OFFICER],
      ['submit-feedback', 'in-progress', 'feedback-submitted', GRID_OFFICER],
      ['verify', 'feedback-submitted', 'verified', VERIFIER],
      ['close', 'verified', 'closed', 'dispatcher'],
    ]);
    expect(d.transitions[2]!.changes).toEqual({
      unitId: [null, CENTRE_C1],
      assigneeId: [null, GRID_OFFICER],
    });
    expect(d.transitions[5]!.remark).toBe('已登记 registered');
    expect(d.allowedActions).toEqual(['reopen']);
  });

  it('a resident report runs the loop; the resident follows it and rates it with the token, no login', async () => {
    const res = await apiRequest(server.url, undefined, 'POST', '/api/resident/reports', {
      description: '楼下消防通道被车辆堵住',
      matterItem: ITEM,
      gridId: G1A,
      contact: { name: '张三', phone: '13812341234' },
    });
    expect(res.status).toBe(201);
    const token: string = res.body.statusToken;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const status = async () => apiRequest(server.url, undefined, 'GET', `/api/resident/cases/${token}`);
    expect((await status()).body).toMatchObject({
      number: res.body.number,
      state: 'reported',
      canRate: false,
    });

    const [item] = (await (await user('dispatcher')).get(`/api/cases?source=resident&state=reported`)).body
      .items as Case[];
    expect(item!.number).toBe(res.body.number);
    // The district dispatcher has not acted on it yet: the contact is masked.
    expect(item!.contact).toEqual({ name: '张*', phone: '138****1234', masked: true });
    await ok('dispatcher', item!.id, 'accept');
    await runLoop(item!.id);
    // Those handling it see the contact in full; a viewer never does.
    expect((await detail(item!.id, GRID_OFFICER)).contact).toEqual({
      name: '张三',
      phone: '13812341234',
      masked: false,
    });
    expect((await detail(item!.id, 'wall')).contact).toEqual({
      name: '张*',
      phone: '138****1234',
      masked: true,
    });

    expect((await status()).body).toMatchObject({ state: 'closed', canRate: true, satisfaction: null });
    const rate = (satisfaction: number) =>
      apiRequest(server.url, undefined, 'POST', `/api/resident/cases/${token}/rating`, { satisfaction });
    const rated = await rate(5);
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ state: 'closed', satisfaction: 5, canRate: false });
    expect((await rate(1)).status).toBe(409);
    expect((await detail(item!.id)).satisfaction).toBe(5);
    // A guessed token is refused, and shows nothing.
    const guessed = await apiRequest(
      server.url,
      undefined,
      'GET',
      `/api/resident/cases/${token.slice(0, -2)}xx`,
    );
    expect(guessed.status).toBe(401);
    expect(JSON.stringify(guessed.body)).not.toContain('消防');
  });

  it('a hotline transfer runs the loop; sent twice (even at once) it makes one case', async () => {
    const ref = uniqueId('12345');
    const send = () =>
      fetch(`${server.url}/api/intake/hotline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': hotlineKey },
        body: JSON.stringify({
          externalRef: ref,
          description: '市民来电：小区有未登记出租屋',
          matterItem: ITEM,
          gridId: G1A,
          contact: { name: '李四', phone: '13900001111' },
        }),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    const again = await send();
    expect(again).toMatchObject({ status: 200, body: { id: a.body.id, created: false } });
    expect(await count('cases WHERE external_ref = $1', [ref])).toBe(1);
    expect(await count('case_transitions WHERE case_id = $1', [a.body.id])).toBe(1);

    const d = await detail(a.body.id);
    expect(d).toMatchObject({ source: 'hotline', hotlineSystem: 'hotline-12345', externalRef: ref });
    expect(d.transitions[0]).toMatchObject({ action: 'report', byKind: 'hotline', by: 'hotline-12345' });
    await ok('dispatcher', a.body.id, 'accept');
    expect((await runLoop(a.body.id)).state).toBe('closed');

    // Without a key, or with a wrong one: 401, and nothing stored.
    for (const headers of [{}, { 'x-api-key': `${hotlineKey}x` }] as Array<Record<string, string>>) {
      const res = await fetch(`${server.url}/api/intake/hotline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ externalRef: uniqueId('x'), description: 'x', gridId: G1A }),
      });
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe('GW_UNAUTHORIZED');
    }
    expect(await count(`cases WHERE source = 'hotline'`)).toBe(1);
  });

  it('a dispatcher turns an alert into a dispatched case in one call; a second call is 409', async () => {
    const device = await aDevice(server.pool, { street: S1 });
    await server.gw.app.alerts.apply([aFinding(device)]);
    const dispatcher = await user('dispatcher');
    const [alert] = (await dispatcher.get(`/api/alerts?deviceId=${device}`)).body.items;
    const res = await dispatcher.post<Case>(`/api/cases/from-alert/${alert.id}`, { matterItem: ITEM });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      source: 'alert',
      state: 'dispatched',
      alertId: alert.id,
      deviceIds: [device],
      unitId: CENTRE_C1,
      assigneeId: GRID_OFFICER,
      path: { grid: G1A },
    });
    expect((await dispatcher.post(`/api/cases/from-alert/${alert.id}`, {})).status).toBe(409);
    const id = res.body.id;
    await ok(GRID_OFFICER, id, 'receive');
    await ok(GRID_OFFICER, id, 'start');
    await ok(GRID_OFFICER, id, 'submit-feedback', { remark: '已断电处理' });
    await ok(VERIFIER, id, 'verify');
    expect((await ok('dispatcher', id, 'close')).state).toBe('closed');
    // A grid officer may not open cases from alerts.
    const other = await aDevice(server.pool, { street: S1 });
    await server.gw.app.alerts.apply([aFinding(other)]);
    const [second] = (await dispatcher.get(`/api/alerts?deviceId=${other}`)).body.items;
    expect((await (await user(GRID_OFFICER)).post(`/api/cases/from-alert/${second.id}`, {})).status).toBe(
      403,
    );
  });

  it('an assignment from a higher level runs the loop', async () => {
    const res = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      title: '区级交办：出租屋排查',
      description: '请对一网格出租屋开展排查',
      matterItem: ITEM,
      gridId: G1A,
    });
    expect(res.status).toBe(201);
    await ok('dispatcher', res.body.id, 'accept');
    expect((await runLoop(res.body.id)).state).toBe('closed');
  });

  it('a critical fire-risk alert opens its case by itself: grid officer and fire department', async () => {
    const handlerFire = await open('handler-fire');
    const seenFire = record(handlerFire);
    const device = await aDevice(server.pool, { street: S1 });
    await server.gw.app.alerts.apply([aFinding(device, { cause: 'fire-risk', severity: 'critical' })]);
    const { item } = await waitFor(
      () => seenFire.find((s) => s.item.deviceIds.includes(device)),
      10_000,
      'case:new',
    );
    expect(item).toMatchObject({
      source: 'alert',
      state: 'dispatched',
      matterItem: 'FIRE-04',
      unitId: CENTRE_C1,
      assigneeId: GRID_OFFICER,
      coUnitIds: ['dept:fire'],
      reporterKind: 'system',
    });
    // The fire department sees it in its list (co-handling unit) though its region is the district.
    const list = (await (await user('handler-fire')).get('/api/cases?unit=dept:fire')).body.items as Case[];
    expect(list.map((c) => c.id)).toContain(item.id);
    // A major fire-risk alert does not open one.
    const calm = await aDevice(server.pool, { street: S1 });
    await server.gw.app.alerts.apply([aFinding(calm, { cause: 'fire-risk', severity: 'major' })]);
    const [major] = (await (await user('dispatcher')).get(`/api/alerts?deviceId=${calm}`)).body.items;
    expect(major).toMatchObject({ cause: 'fire-risk', severity: 'major' });
    expect(await server.gw.app.cases.autoOpen(major)).toBeNull();
    expect(await count('cases WHERE $1 = ANY(device_ids)', [calm])).toBe(0);
  });

  it('a returned case and a reopened case', async () => {
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '退回与重办',
      matterItem: ITEM,
      gridId: G1A,
    });
    const id = body.id;
    await ok('dispatcher', id, 'accept');
    await ok('dispatcher', id, 'dispatch', { unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    // 退回 needs a reason; with one the case goes back to the dispatcher with no unit.
    const bare = await act(GRID_OFFICER, id, 'return');
    expect(bare.status).toBe(400);
    expect(bare.body.message).toMatch(/^remark: /);
    const returned = await ok(GRID_OFFICER, id, 'return', { remark: '非本网格事项' });
    expect(returned).toMatchObject({ state: 'returned', unitId: null, assigneeId: null });
    await ok('dispatcher', id, 'dispatch', { unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    await ok(GRID_OFFICER, id, 'receive');
    await ok(GRID_OFFICER, id, 'start');
    await ok(GRID_OFFICER, id, 'submit-feedback', { remark: '第一次反馈' });
    // The handler may not verify their own work; the grid chief sends it back (重办).
    expect((await act(GRID_OFFICER, id, 'verify')).status).toBe(403);
    const reopened = await ok(VERIFIER, id, 'reopen', { remark: '现场仍未整改' });
    expect(reopened).toMatchObject({ state: 'reopened', unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    await ok(GRID_OFFICER, id, 'start');
    await ok(GRID_OFFICER, id, 'submit-feedback', { remark: '已整改完毕' });
    await ok(VERIFIER, id, 'verify');
    await ok('dispatcher', id, 'close');
    const d = await detail(id);
    expect(d.transitions.map((t) => t.action)).toEqual([
      'report',
      'accept',
      'dispatch',
      'return',
      'dispatch',
      'receive',
      'start',
      'submit-feedback',
      'reopen',
      'start',
      'submit-feedback',
      'verify',
      'close',
    ]);
    expect(d.transitions.find((t) => t.action === 'return')!.remark).toBe('非本网格事项');
    expect(d.transitions.find((t) => t.action === 'reopen')!.remark).toBe('现场仍未整改');
  });

  it('two officers acting at once: one wins, the other gets 409 and nothing of theirs is stored', async () => {
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '并发签收',
      matterItem: ITEM,
      gridId: G1A,
    });
    await ok('dispatcher', body.id, 'accept');
    const dispatched = await ok('dispatcher', body.id, 'dispatch', { unitId: CENTRE_C1 });
    const both = await Promise.all(
      [GRID_OFFICER, OTHER_GRID_OFFICER].map(async (u) =>
        (await user(u)).post<Case>(`/api/cases/${body.id}/transitions`, {
          action: 'receive',
          version: dispatched.version,
        }),
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = both.find((r) => r.status === 200)!.body;
    expect(winner.state).toBe('received');
    expect(await count(`case_transitions WHERE case_id = $1 AND action = 'receive'`, [body.id])).toBe(1);
    expect((await detail(body.id)).version).toBe(dispatched.version + 1);
  });

  it('a stale version is 409 and changes nothing', async () => {
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '过期版本',
      matterItem: ITEM,
      gridId: G1A,
    });
    const dispatcher = await user('dispatcher');
    expect(
      (await dispatcher.post(`/api/cases/${body.id}/transitions`, { action: 'accept', version: 1 })).status,
    ).toBe(200);
    const stale = await dispatcher.post(`/api/cases/${body.id}/transitions`, {
      action: 'dispatch',
      version: 1,
      unitId: CENTRE_C1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('stale version');
    expect(await detail(body.id)).toMatchObject({ state: 'accepted', version: 2, unitId: null });
    // The wrong state is 409 with its reason.
    const wrong = await act('dispatcher', body.id, 'close');
    expect(wrong.status).toBe(409);
    expect(wrong.body.message).toContain('cannot close a case that is accepted');
  });

  it('a transition by a user without the role is 403 and changes nothing', async () => {
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '无权限',
      matterItem: ITEM,
      gridId: G1A,
    });
    for (const [who, action] of [
      ['wall', 'accept'],
      [GRID_OFFICER, 'accept'],
      [VERIFIER, 'dispatch'],
    ] as const) {
      const res = await act(who, body.id, action, { unitId: CENTRE_C1 });
      expect(res.status, `${action} by ${who}`).toBe(403);
      expect(res.body.message).toContain('needs the role');
    }
    expect(await detail(body.id)).toMatchObject({ state: 'reported', version: 1 });
    expect(await count('case_transitions WHERE case_id = $1', [body.id])).toBe(1);
    // A viewer cannot report a patrol either.
    expect(
      (await (await user('wall')).post('/api/cases', { source: 'patrol', description: 'x', gridId: G1A }))
        .status,
    ).toBe(403);
  });

  it('another street’s officer gets 403 and hears nothing on the socket', async () => {
    const s1 = await open('officer-s01');
    const s2 = await open('officer-s02');
    const seen1 = record(s1);
    const seen2 = record(s2);
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '一街道的事',
      matterItem: ITEM,
      gridId: G1A,
    });
    await ok('dispatcher', body.id, 'accept');
    await ok('dispatcher', body.id, 'dispatch', { unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    // The street-1 officer hears all three; by then the street-2 officer would have too.
    await waitFor(() => seen1.filter((s) => s.item.id === body.id).length >= 3, 10_000, 'three case events');
    expect(seen1.filter((s) => s.item.id === body.id).map((s) => [s.event, s.item.state])).toEqual([
      ['case:new', 'reported'],
      ['case:update', 'accepted'],
      ['case:update', 'dispatched'],
    ]);
    expect(seen2).toEqual([]);
    const officer2 = await user('officer-s02');
    const res = await officer2.get(`/api/cases/${body.id}`);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('一街道的事');
    expect(
      (await officer2.post(`/api/cases/${body.id}/transitions`, { action: 'receive', version: 3 })).status,
    ).toBe(403);
    expect(((await officer2.get('/api/cases')).body.items as Case[]).map((c) => c.id)).not.toContain(body.id);
    const synced = await new Promise<Case[]>((resolve) => s2.emit('cases:sync', {}, resolve));
    expect(synced.map((c) => c.id)).not.toContain(body.id);
    // A case of street 2 reaches them (the room works).
    await (await user('dispatcher')).post('/api/cases', {
      source: 'assignment',
      description: '二街道',
      gridId: G2A,
    });
    await waitFor(() => seen2.find((s) => s.item.path.grid === G2A), 10_000, 'street-2 case');
  });

  it('gives a reconnecting client the cases it missed through cases:sync', async () => {
    const officer = await open('officer-s01');
    const lastSeen = new Date().toISOString();
    officer.close();
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '断线期间',
      gridId: G1A,
    });
    const back = await open('officer-s01');
    const missed = await new Promise<Case[]>((resolve) =>
      back.emit('cases:sync', { since: lastSeen }, resolve),
    );
    expect(missed.map((c) => c.id)).toContain(body.id);
    expect(missed.every((c) => c.path.street === S1)).toBe(true);
  });

  it('bad input is a clear 4xx and stores nothing half-way', async () => {
    const before = await count('cases');
    const officer = await user(GRID_OFFICER);
    const bad = async (body: Record<string, unknown>, status: number, message: RegExp) => {
      const res = await officer.post('/api/cases', { source: 'patrol', description: 'x', ...body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.message).toMatch(message);
    };
    await bad({ gridId: 'no-such-grid' }, 400, /^gridId: no grid no-such-grid/);
    await bad({ gridId: C1 }, 400, /^gridId: no grid/);
    await bad({ lon: AT.outside[0], lat: AT.outside[1] }, 400, /^lon, lat: .* lies in no grid/);
    await bad({}, 400, /^gridId: a grid id or a position/);
    await bad({ gridId: G1A, matterItem: 'NOPE-99' }, 400, /^matterItem: no item NOPE-99/);
    await bad({ gridId: G2A }, 403, /outside your region/);
    expect(await count('cases')).toBe(before);

    // A dispatch to a unit that does not exist: 400, the case as it was, no transition.
    const { body } = await (await user('dispatcher')).post<Case>('/api/cases', {
      source: 'assignment',
      description: '错误派单',
      matterItem: PHOTO_ITEM,
      gridId: G1A,
    });
    await ok('dispatcher', body.id, 'accept');
    const res = await act('dispatcher', body.id, 'dispatch', { unitId: 'centre:nowhere' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^unitId: /);
    expect(await detail(body.id)).toMatchObject({ state: 'accepted', version: 2, unitId: null });
    expect(await count('case_transitions WHERE case_id = $1', [body.id])).toBe(2);
    // Feedback without the photo the matter item requires: 400 naming the field.
    await ok('dispatcher', body.id, 'dispatch', { unitId: CENTRE_C1, assigneeId: GRID_OFFICER });
    await ok(GRID_OFFICER, body.id, 'receive');
    await ok(GRID_OFFICER, body.id, 'start');
    const noPhoto = await act(GRID_OFFICER, body.id, 'submit-feedback', { remark: 'done' });
    expect(noPhoto.status).toBe(400);
    expect(noPhoto.body.message).toMatch(/^attachmentIds: /);
    // An id that is not an attachment of this case is refused too.
    const foreign = await act(GRID_OFFICER, body.id, 'submit-feedback', {
      remark: 'done',
      attachmentIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toContain('is not an attachment of this case');
    expect((await detail(body.id)).state).toBe('in-progress');
    // With a photo of the case it goes through; another street's officer cannot see the photo.
    const officerToken = await login(server.url, GRID_OFFICER, DEMO_PASSWORD);
    const photo = await upload(
      server.url,
      officerToken,
      { ownerType: 'case', ownerId: body.id },
      { filename: 'after.png', contentType: 'image/png', data: await aPng() },
    );
    expect(photo.status).toBe(201);
    const fed = await ok(GRID_OFFICER, body.id, 'submit-feedback', {
      remark: '已清理',
      attachmentIds: [photo.body.id],
    });
    expect(fed.state).toBe('feedback-submitted');
    expect((await detail(body.id)).transitions.at(-1)!.attachmentIds).toEqual([photo.body.id]);
    const peek = await (await user('officer-s02')).get(`/api/attachments?ownerType=case&ownerId=${body.id}`);
    expect(peek.status).toBe(403);

    // An alert case whose dispatch target is unknown leaves no case behind.
    const device = await aDevice(server.pool, { street: S1 });
    await server.gw.app.alerts.apply([aFinding(device)]);
    const [alert] = (await (await user('dispatcher')).get(`/api/alerts?deviceId=${device}`)).body.items;
    const failed = await (await user('dispatcher')).post(`/api/cases/from-alert/${alert.id}`, {
      unitId: 'dept:none',
    });
    expect(failed.status).toBe(400);
    expect(await count('cases WHERE alert_id = $1', [alert.id])).toBe(0);
  });

  it('proposes a likely duplicate, never merges it', async () => {
    const officer = await user(GRID_OFFICER);
    const report = () =>
      officer.post<Case>('/api/cases', {
        source: 'patrol',
        description: '同一处未登记出租屋',
        matterItem: ITEM,
        lon: AT.g1a[0],
        lat: AT.g1a[1],
      });
    const first = (await report()).body;
    const second = (await report()).body;
    const d = await detail(second.id);
    const proposal = d.duplicates.find((p) => p.caseId === first.id);
    expect(proposal).toMatchObject({ number: first.number, decision: null });
    expect(proposal!.score).toBeGreaterThan(0.9);
    expect(proposal!.reason).toContain('same grid and matter item');
    expect((await detail(first.id)).state).toBe('reported');
    expect(d.state).toBe('reported');
  });
});
