import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/src/auth/demo-users.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';
import { AT, C1, C2, DISTRICT, devicePoint, districtGeoJson, G1A, G2A, S1, S2 } from './regions-fixtures.ts';

const MIN = 60_000;

describe.each(availableBackends())('wall-screen stats on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let officer: ReturnType<typeof api>;
  const id = (name: string) => `${name}-${uniqueId('s').slice(2)}`;
  const dev = { A: id('cam'), B: id('chg'), C: id('lck'), D: id('cam'), E: id('chg'), F: id('lck') };

  /** An alert row as the alerts domain stores it; `path` from the device's grid. */
  const insertAlert = async (a: {
    device: string;
    kind: string;
    severity: string;
    state: string;
    grid: 'g1a' | 'g2a';
    firstSeenAgoMs: number;
    ackDueAgoMs: number;
    ackAgoMs?: number;
    resolvedAgoMs?: number;
  }) => {
    const path = a.grid === 'g1a' ? [DISTRICT, S1, C1, G1A] : [DISTRICT, S2, C2, G2A];
    const now = Date.now();
    const at = (ago: number | undefined) => (ago === undefined ? null : new Date(now - ago));
    await server.pool.query(
      `INSERT INTO alerts (id, cause, severity, state, device_id, device_kind, device_ids,
                           district_id, street_id, community_id, grid_id, message, first_seen, last_seen,
                           ack_due_at, ack_at, resolved_at)
       VALUES (gen_random_uuid(), 'test-cause', $1, $2, $3, $4, ARRAY[$3], $5, $6, $7, $8, 'test', $9, $9, $10, $11, $12)`,
      [
        a.severity,
        a.state,
        a.device,
        a.kind,
        ...path,
        at(a.firstSeenAgoMs),
        at(a.ackDueAgoMs),
        at(a.ackAgoMs),
        at(a.resolvedAgoMs),
      ],
    );
  };

  const reading = async (device: string, agoMs: number, powerKw: number, ports: string[]) => {
    const ts = Date.now() - agoMs;
    await server.pool.query(`INSERT INTO telemetry (device_id, ts, seq, data) VALUES ($1, $2, $3, $4)`, [
      device,
      new Date(ts),
      ts,
      JSON.stringify({
        ts,
        seq: ts,
        voltageV: 220,
        currentA: 1,
        powerKw,
        energyKwh: 1,
        temperatureC: 30,
        leakageMa: 1,
        ports: ports.map((state, i) => ({ port: i + 1, state, currentA: 1 })),
      }),
    ]);
  };

  beforeAll(async () => {
    server = await startTestServer(backend);
    await server.gw.app.telemetryJobs.rollup.stop();
    admin = api(server.url, await login(server.url));
    officer = api(server.url, await login(server.url, 'officer-s01', DEMO_PASSWORD));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
    const imported = await admin.post('/api/devices/import', {
      type: 'FeatureCollection',
      features: [
        devicePoint(dev.A, 'camera', AT.g1a),
        devicePoint(dev.B, 'charger', AT.g1a),
        devicePoint(dev.C, 'locker', AT.g1b),
        devicePoint(dev.D, 'camera', AT.g2a),
        devicePoint(dev.E, 'charger', AT.g2a),
        devicePoint(dev.F, 'locker', AT.outside),
      ],
    });
    expect(imported.body).toMatchObject({ imported: 6, placed: 5 });
    await server.pool.query('UPDATE devices SET online = (id = ANY($1))', [[dev.A, dev.B, dev.E]]);

    await insertAlert({
      device: dev.A,
      kind: 'camera',
      severity: 'critical',
      state: 'active',
      grid: 'g1a',
      firstSeenAgoMs: 10 * MIN,
      ackDueAgoMs: 8 * MIN,
    });
    await insertAlert({
      device: dev.B,
      kind: 'charger',
      severity: 'major',
      state: 'acknowledged',
      grid: 'g1a',
      firstSeenAgoMs: 30 * MIN,
      ackDueAgoMs: 20 * MIN,
      ackAgoMs: 25 * MIN,
    });
    await insertAlert({
      device: dev.D,
      kind: 'camera',
      severity: 'minor',
      state: 'resolved',
      grid: 'g2a',
      firstSeenAgoMs: 120 * MIN,
      ackDueAgoMs: 90 * MIN,
      ackAgoMs: 60 * MIN,
      resolvedAgoMs: 50 * MIN,
    });
    await insertAlert({
      device: dev.D,
      kind: 'camera',
      severity: 'warning',
      state: 'active',
      grid: 'g2a',
      firstSeenAgoMs: 1 * MIN,
      ackDueAgoMs: -119 * MIN,
    });
    await insertAlert({
      device: dev.E,
      kind: 'charger',
      severity: 'major',
      state: 'active',
      grid: 'g2a',
      firstSeenAgoMs: 30 * 60 * MIN,
      ackDueAgoMs: 29 * 60 * MIN,
    });

    // Rolled up: 2 kW in three minutes; the last is also fresh, but not B's newest reading.
    for (const ago of [12 * MIN, 11 * MIN, 90_000]) await reading(dev.B, ago, 2, ['charging']);
    await server.pool.query('DELETE FROM rollup_progress');
    await server.gw.app.telemetryJobs.rollup.runNow({ budgetMs: 120_000 });
    // Newest readings, after the rollup so the 24 h series stays at 2 kW.
    await reading(dev.B, 5_000, 3.5, ['charging', 'idle', 'charging']);
    await reading(dev.E, 3_000, 1.5, ['charging']);
  });
  afterAll(async () => {
    await server?.close();
  });

  const get = async (client: ReturnType<typeof api>, path: string) => {
    const res = await client.get(path);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('overview: devices, open alerts, overdue and the on-time rate, per scope', async () => {
    const all = await get(admin, '/api/stats/overview');
    expect(all).toMatchObject({
      regionId: DISTRICT,
      devices: 6,
      online: 3,
      onlineRate: 0.5,
      byKind: {
        camera: { total: 2, online: 1 },
        charger: { total: 2, online: 2 },
        locker: { total: 2, online: 0 },
      },
      openAlerts: 4,
      openBySeverity: { critical: 1, major: 2, minor: 0, warning: 1 },
      overdueAlerts: 2,
      alerts24h: 4,
    });
    // Due or handled in 24 h: A (late, unacknowledged), B (on time), D-minor (late); D-warning is not due yet.
    expect(all.ackedOnTimeRate).toBeCloseTo(1 / 3, 9);
    expect(Date.parse(all.at)).toBeGreaterThan(Date.now() - 60_000);

    const mine = await get(officer, '/api/stats/overview');
    expect(mine).toMatchObject({
      regionId: S1,
      devices: 3,
      online: 2,
      openAlerts: 2,
      openBySeverity: { critical: 1, major: 1, minor: 0, warning: 0 },
      overdueAlerts: 1,
      alerts24h: 2,
      ackedOnTimeRate: 0.5,
    });
  });

  it('alerts by hour and by street over 24 h', async () => {
    const hours = await get(admin, '/api/stats/alerts-by-hour');
    expect(hours.hours).toHaveLength(24);
    const total = hours.hours.reduce((n: number, h: { total: number }) => n + h.total, 0);
    expect(total).toBe(4);
    const starts = hours.hours.map((h: { hour: string }) => Date.parse(h.hour));
    expect(starts[23]).toBeLessThanOrEqual(Date.now());
    expect(starts[23] + 3600_000).toBeGreaterThan(Date.now());
    // The resolved minor alert of two hours ago sits in its hour.
    const minorAt = starts.findIndex((_: number, i: number) => hours.hours[i].counts.minor === 1);
    expect(starts[minorAt]).toBeLessThanOrEqual(Date.now() - 120 * MIN);
    expect(starts[minorAt] + 3600_000).toBeGreaterThan(Date.now() - 120 * MIN);

    const streets = await get(admin, '/api/stats/alerts-by-street');
    expect(streets.streets).toEqual([
      { streetId: S1, name: '一街道', total: 2, counts: { critical: 1, major: 1, minor: 0, warning: 0 } },
      { streetId: S2, name: '二街道', total: 2, counts: { critical: 0, major: 0, minor: 1, warning: 1 } },
    ]);
    expect(
      (await get(officer, '/api/stats/alerts-by-street')).streets.map(
        (s: { streetId: string }) => s.streetId,
      ),
    ).toEqual([S1]);
  });

  it('top communities and the worst severity per grid', async () => {
    const top = await get(admin, '/api/stats/top-communities?limit=5');
    expect(top.communities).toEqual([
      {
        communityId: C1,
        name: '一社区',
        streetId: S1,
        streetName: '一街道',
        open: 2,
        overdue: 1,
        counts: { critical: 1, major: 1, minor: 0, warning: 0 },
      },
      {
        communityId: C2,
        name: '二社区',
        streetId: S2,
        streetName: '二街道',
        open: 2,
        overdue: 1,
        counts: { critical: 0, major: 1, minor: 0, warning: 1 },
      },
    ]);
    expect((await get(admin, '/api/stats/top-communities?limit=1')).communities).toHaveLength(1);
    expect((await get(admin, '/api/stats/grid-severity')).grids).toEqual({
      [G1A]: 'critical',
      [G2A]: 'major',
    });
    expect((await get(officer, '/api/stats/grid-severity')).grids).toEqual({ [G1A]: 'critical' });
  });

  it('charger load now and over 24 h', async () => {
    const all = await get(admin, '/api/stats/charger-load');
    expect(all).toMatchObject({
      chargers: 2,
      chargersReporting: 2,
      portsCharging: 3,
      portsTotal: 4,
      stepS: 900,
    });
    expect(all.powerKwNow).toBeCloseTo(5, 9);
    expect(all.series.length).toBeGreaterThanOrEqual(1);
    for (const point of all.series) expect(point.powerKw).toBeCloseTo(2, 9);
    const mine = await get(officer, '/api/stats/charger-load');
    expect(mine).toMatchObject({ chargers: 1, chargersReporting: 1, portsCharging: 2, portsTotal: 3 });
    expect(mine.powerKwNow).toBeCloseTo(3.5, 9);
  });

  it('device points carry position, state and the worst open severity', async () => {
    const points = (await get(admin, '/api/stats/device-points')).points as unknown[][];
    const byId = new Map(points.map((p) => [p[0], p]));
    expect(points).toHaveLength(6);
    expect(byId.get(dev.A)).toEqual([dev.A, 'camera', AT.g1a[0], AT.g1a[1], true, 'critical']);
    expect(byId.get(dev.B)?.[5]).toBe('major');
    expect(byId.get(dev.C)?.slice(4)).toEqual([false, null]);
    expect(byId.get(dev.D)?.[5]).toBe('warning');
    const mine = (await get(officer, '/api/stats/device-points')).points as unknown[][];
    expect(mine.map((p) => p[0]).sort()).toEqual([dev.A, dev.B, dev.C].sort());
  });

  it('config for the screen', async () => {
    const config = await get(admin, '/api/stats/config');
    const closeTo = (xs: number[]) => xs.map((x) => expect.closeTo(x, 9));
    expect(config).toEqual({
      districtName: '测试区',
      districtId: DISTRICT,
      timeZone: 'Asia/Shanghai',
      mapStyleUrl: null,
      ackLimits: { critical: 120, major: 600, minor: 1800, warning: 7200 },
      bounds: closeTo([108.9, 34.2, 108.94, 34.21]),
    });
    expect((await get(officer, '/api/stats/config')).bounds).toEqual(closeTo([108.9, 34.2, 108.92, 34.21]));
    expect((await api(server.url).get('/api/stats/overview')).status).toBe(401);
  });
});
