import type { Alert, AlertDetail, AlertList } from '@gridwatch/devices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer } from '../support/backends.ts';
import { api, login, waitFor } from '../support/clients.ts';
import { aDevice, aFinding, DEMO_PASSWORD, S01, S02, seedRegions } from './alerts-fixtures.ts';

describe.each(availableBackends())('alerts (%s)', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let officer1: ReturnType<typeof api>;
  let officer2: ReturnType<typeof api>;
  let wall: ReturnType<typeof api>;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      ACK_LIMIT_CRITICAL_S: '1',
      ALERT_OVERDUE_CHECK_MS: '200',
      LOGIN_RATE_MAX: '100',
    });
    await seedRegions(server.pool);
    admin = api(server.url, await login(server.url));
    officer1 = api(server.url, await login(server.url, 'officer-s01', DEMO_PASSWORD));
    officer2 = api(server.url, await login(server.url, 'officer-s02', DEMO_PASSWORD));
    wall = api(server.url, await login(server.url, 'wall', DEMO_PASSWORD));
  });
  afterAll(async () => {
    await server?.close();
  });

  const apply = (...args: Parameters<TestServer['gw']['app']['alerts']['apply']>) =>
    server.gw.app.alerts.apply(...args);

  async function alertsOf(deviceId: string): Promise<Alert[]> {
    const res = await admin.get<AlertList>(`/api/alerts?deviceId=${deviceId}&limit=500`);
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('keeps one alert per device and cause through repeats, clear, ack and resolve', async () => {
    const device = await aDevice(server.pool, { site: 'site-0001' });
    const events: Array<[string, Alert]> = [];
    const listener = (alert: Alert, change: string) => {
      if (alert.deviceId === device) events.push([change, alert]);
    };
    server.gw.app.bus.on('alert', listener);
    const t0 = Date.now();
    await apply([aFinding(device, { at: t0 })]);
    await apply([
      aFinding(device, { at: t0 + 1000 }),
      aFinding(device, { at: t0 + 2000, message: 'still hot' }),
    ]);

    let [alert, ...others] = await alertsOf(device);
    expect(others).toHaveLength(0);
    expect(alert).toMatchObject({
      state: 'active',
      severity: 'major',
      count: 3,
      message: 'still hot',
      site: 'site-0001',
      deviceKind: 'charger',
      path: { district: 'D610104', street: S01, community: `${S01}-C01`, grid: `${S01}-C01-G01` },
      firstSeen: new Date(t0).toISOString(),
      lastSeen: new Date(t0 + 2000).toISOString(),
      ackDueAt: new Date(t0 + 600_000).toISOString(),
      clearedAt: null,
      overdue: false,
    });
    const rows = await server.pool.query('SELECT count(*)::int AS n FROM alerts WHERE device_id = $1', [
      device,
    ]);
    expect(rows.rows[0].n).toBe(1);
    expect(events[0]?.[0]).toBe('new');
    // Repeats are throttled on the bus, but the latest count still arrives.
    await waitFor(() => events.some(([c, a]) => c === 'update' && a.count === 3), 5000, 'repeat update');

    // The condition ends before anyone acknowledged: still active, flagged cleared.
    await apply([aFinding(device, { action: 'clear', at: t0 + 3000 })]);
    [alert] = await alertsOf(device);
    expect(alert).toMatchObject({ state: 'active', clearedAt: new Date(t0 + 3000).toISOString() });

    const acked = await officer1.post<Alert>(`/api/alerts/${alert!.id}/ack`, { remark: '已到场 on site' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({
      state: 'acknowledged',
      ackBy: 'officer-s01',
      ackRemark: '已到场 on site',
    });
    expect((await officer1.post(`/api/alerts/${alert!.id}/ack`, {})).status).toBe(409);
    const resolved = await admin.post<Alert>(`/api/alerts/${alert!.id}/resolve`, {
      remark: 'replaced the fan',
    });
    expect(resolved.body).toMatchObject({ state: 'resolved', resolvedBy: 'admin', ackBy: 'officer-s01' });
    expect((await admin.post(`/api/alerts/${alert!.id}/resolve`, {})).status).toBe(409);

    const detail = await officer1.get<AlertDetail>(`/api/alerts/${alert!.id}`);
    expect(detail.body.history.map((h) => [h.action, h.by, h.remark])).toEqual([
      ['raised', null, null],
      ['repeated', null, 'count 3'],
      ['cleared', null, null],
      ['acknowledged', 'officer-s01', '已到场 on site'],
      ['resolved', 'admin', 'replaced the fan'],
    ]);

    // The condition returns: a new alert, the resolved one untouched.
    await apply([aFinding(device, { at: t0 + 10_000 })]);
    const all = await alertsOf(device);
    expect(all.map((a) => a.state)).toEqual(['active', 'resolved']);
    expect(all[0]!.id).not.toBe(alert!.id);
    await waitFor(
      () => events.some(([c, a]) => c === 'update' && a.state === 'resolved'),
      5000,
      'bus update',
    );
    server.gw.app.bus.off('alert', listener);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const change of ['raised', 'repeated', 'cleared', 'acknowledged', 'resolved']) {
      expect(metrics).toMatch(new RegExp(`gridwatch_alert_changes_total\\{change="${change}"\\} [1-9]`));
    }
    expect(metrics).toMatch(/gridwatch_alerts_open\{state="active",overdue="false"\} [1-9]/);
  });

  it('resolves an acknowledged alert when its condition clears', async () => {
    const device = await aDevice(server.pool);
    await apply([aFinding(device, { cause: 'locker-door-open' })]);
    const [alert] = await alertsOf(device);
    await officer1.post(`/api/alerts/${alert!.id}/ack`, { remark: 'closing it' });
    await apply([aFinding(device, { cause: 'locker-door-open', action: 'clear' })]);
    const detail = await admin.get<AlertDetail>(`/api/alerts/${alert!.id}`);
    expect(detail.body.state).toBe('resolved');
    expect(detail.body.history.map((h) => h.action)).toEqual([
      'raised',
      'acknowledged',
      'cleared',
      'resolved',
    ]);
  });

  it('never duplicates under concurrent repeats and keeps history bounded', async () => {
    const device = await aDevice(server.pool);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => apply([aFinding(device, { at: t0 + i })])));
    const alerts = await alertsOf(device);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.count).toBe(40);
    const history = await server.pool.query('SELECT action FROM alert_history WHERE alert_id = $1', [
      alerts[0]!.id,
    ]);
    expect(history.rows.map((r) => r.action).sort()).toEqual(['raised', 'repeated']);
  });

  it('scopes reading and acting to the officer’s street; viewers only watch', async () => {
    const d1 = await aDevice(server.pool, { street: S01 });
    const d2 = await aDevice(server.pool, { street: S02 });
    await apply([aFinding(d1), aFinding(d2)]);
    const [a1] = await alertsOf(d1);
    const [a2] = await alertsOf(d2);

    expect((await officer2.get(`/api/alerts/${a1!.id}`)).status).toBe(403);
    expect((await officer2.post(`/api/alerts/${a1!.id}/ack`, { remark: 'not mine' })).status).toBe(403);
    expect((await officer2.post(`/api/alerts/${a1!.id}/resolve`, {})).status).toBe(403);
    expect((await officer2.get(`/api/alerts/${a2!.id}`)).status).toBe(200);

    const seen1 = (await officer1.get<AlertList>('/api/alerts?limit=500')).body.items;
    const seen2 = (await officer2.get<AlertList>('/api/alerts?limit=500')).body.items;
    expect(seen1.map((a) => a.id)).toContain(a1!.id);
    expect(seen1.map((a) => a.id)).not.toContain(a2!.id);
    expect(seen2.map((a) => a.id)).toContain(a2!.id);
    expect(seen2.every((a) => a.path.street === S02)).toBe(true);
    // A commander narrows by region; an officer asking for another street gets nothing of it.
    const narrowed = (await admin.get<AlertList>(`/api/alerts?region=${S02}&limit=500`)).body.items;
    expect(narrowed.length).toBeGreaterThan(0);
    expect(narrowed.every((a) => a.path.street === S02)).toBe(true);
    expect((await officer1.get<AlertList>(`/api/alerts?region=${S02}`)).body.total).toBe(0);

    expect((await wall.get(`/api/alerts/${a1!.id}`)).status).toBe(200);
    expect((await wall.post(`/api/alerts/${a1!.id}/ack`, {})).status).toBe(403);
    expect((await wall.post(`/api/alerts/${a1!.id}/resolve`, {})).status).toBe(403);
    expect((await admin.get(`/api/alerts/${a1!.id}`)).body.state).toBe('active');

    expect((await admin.get('/api/alerts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.get('/api/alerts/not-a-uuid')).status).toBe(404);
    expect((await admin.post('/api/alerts/00000000-0000-4000-8000-000000000000/ack', {})).status).toBe(404);
  });

  it('stores and returns SQL and HTML remarks verbatim and inert', async () => {
    const device = await aDevice(server.pool);
    await apply([aFinding(device)]);
    const [alert] = await alertsOf(device);
    const sql = "x'); DROP TABLE alerts; -- \" ; DELETE FROM users WHERE '1'='1";
    const html = '<script>alert(1)</script><img src=x onerror="alert(2)"> &amp; 中文';
    const acked = await officer1.post<Alert>(`/api/alerts/${alert!.id}/ack`, { remark: sql });
    expect(acked.body.ackRemark).toBe(sql);
    const res = await fetch(`${server.url}/api/alerts/${alert!.id}/resolve`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await login(server.url, 'officer-s01', DEMO_PASSWORD)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ remark: html }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as Alert).state).toBe('resolved');
    const detail = await admin.get<AlertDetail>(`/api/alerts/${alert!.id}`);
    expect(detail.body.ackRemark).toBe(sql);
    expect(detail.body.history.find((h) => h.action === 'resolved')?.remark).toBe(html);
    const tables = await server.pool.query(
      `SELECT (SELECT count(*)::int FROM alerts) AS alerts, (SELECT count(*)::int FROM users) AS users`,
    );
    expect(tables.rows[0].alerts).toBeGreaterThan(0);
    expect(tables.rows[0].users).toBeGreaterThan(10);
    const tooLong = await officer1.post(`/api/alerts/${alert!.id}/ack`, { remark: 'x'.repeat(1001) });
    expect(tooLong.status).toBe(400);
  });

  it('marks an unacknowledged alert overdue once its limit passes', async () => {
    const device = await aDevice(server.pool);
    const updates: Alert[] = [];
    const listener = (alert: Alert) => {
      if (alert.deviceId === device && alert.overdue) updates.push(alert);
    };
    server.gw.app.bus.on('alert', listener);
    await apply([aFinding(device, { severity: 'critical' })]);
    const [alert] = await alertsOf(device);
    expect(alert!.overdue).toBe(false);
    expect(Date.parse(alert!.ackDueAt) - Date.parse(alert!.firstSeen)).toBe(1000);
    await waitFor(async () => (await alertsOf(device))[0]?.overdue, 15_000, 'overdue flag');
    await waitFor(() => updates.length > 0, 5000, 'overdue bus update');
    await server.gw.app.alerts.checkOverdue();
    const acked = await officer1.post<Alert>(`/api/alerts/${alert!.id}/ack`, { remark: 'late' });
    expect(acked.body).toMatchObject({ state: 'acknowledged', overdue: true });
    const detail = await admin.get<AlertDetail>(`/api/alerts/${alert!.id}`);
    expect(detail.body.history.filter((h) => h.action === 'overdue')).toHaveLength(1);
    server.gw.app.bus.off('alert', listener);
  });

  it('filters and pages newest first', async () => {
    const device = await aDevice(server.pool, { kind: 'camera', street: S02 });
    const t0 = Date.now() - 60_000;
    const causes = ['c-a', 'c-b', 'c-c', 'c-d', 'c-e'];
    await apply(
      causes.map((cause, i) =>
        aFinding(device, { cause, at: t0 + i * 1000, severity: i % 2 ? 'minor' : 'warning' }),
      ),
    );
    const page1 = await admin.get<AlertList>(`/api/alerts?deviceId=${device}&limit=2`);
    expect(page1.body.total).toBe(5);
    expect(page1.body.items.map((a) => a.cause)).toEqual(['c-e', 'c-d']);
    const page3 = await admin.get<AlertList>(`/api/alerts?deviceId=${device}&limit=2&offset=4`);
    expect(page3.body.items.map((a) => a.cause)).toEqual(['c-a']);
    const minor = await officer2.get<AlertList>(
      `/api/alerts?deviceId=${device}&severity=minor&kind=camera&state=open`,
    );
    expect(minor.body.items.map((a) => a.cause).sort()).toEqual(['c-b', 'c-d']);
    expect((await admin.get<AlertList>(`/api/alerts?deviceId=${device}&kind=charger`)).body.total).toBe(0);
    expect((await admin.get<AlertList>(`/api/alerts?deviceId=${device}&cause=c-c`)).body.items).toHaveLength(
      1,
    );
    const since = (
      await admin.get<AlertList>(`/api/alerts?deviceId=${device}&since=${new Date(t0).toISOString()}`)
    ).body;
    expect(since.total).toBe(5);
    expect(
      (await admin.get(`/api/alerts?since=${new Date(Date.now() + 60_000).toISOString()}`)).body.total,
    ).toBe(0);
    expect((await admin.get(`/api/alerts?since=yesterday`)).status).toBe(400);
    expect((await admin.get(`/api/alerts?severity=bogus`)).status).toBe(400);
    expect((await admin.get(`/api/alerts?limit=100000`)).status).toBe(400);
  });
});
