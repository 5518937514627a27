import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/src/auth/demo-users.ts';
import { availableBackends, startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';
import { metricValue } from './ingest-fixtures.ts';
import { AT, districtGeoJson } from './regions-fixtures.ts';

const HOUR = 3600_000;
const STEP_S = 30;
const READINGS = 1200; // 10 h, one every 30 s
const power = (i: number) => (i % 7) + 0.5;
const temperature = (i: number) => 20 + (i % 13);

/** avg/min/max/count of readings i in [from, to) of the generated series. */
function expected(values: (i: number) => number, fromI: number, toI: number) {
  const xs = Array.from({ length: toI - fromI }, (_, k) => values(fromI + k));
  return {
    avg: xs.reduce((a, b) => a + b, 0) / xs.length,
    min: Math.min(...xs),
    max: Math.max(...xs),
    count: xs.length,
  };
}

describe.each(availableBackends())('telemetry on %s', (backend) => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  const charger = uniqueId('chg');
  const remote = uniqueId('cam');
  // Whole hours, so hour buckets line up with the series.
  const t0 = Math.floor(Date.now() / HOUR) * HOUR - 11 * HOUR;

  beforeAll(async () => {
    server = await startTestServer(backend);
    // The test drives the jobs itself.
    await server.gw.app.telemetryJobs.rollup.stop();
    await server.gw.app.telemetryJobs.retention.stop();
    admin = api(server.url, await login(server.url));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
    expect(
      (
        await admin.post('/api/devices', {
          id: charger,
          kind: 'charger',
          name: 'c',
          lon: AT.g1a[0],
          lat: AT.g1a[1],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.post('/api/devices', {
          id: remote,
          kind: 'camera',
          name: 'r',
          lon: AT.g2a[0],
          lat: AT.g2a[1],
        })
      ).status,
    ).toBe(201);
    await server.pool.query(
      `INSERT INTO telemetry (device_id, ts, seq, data)
       SELECT $1, to_timestamp(($2::bigint + i * $3::bigint * 1000) / 1000.0), i,
              jsonb_build_object('ts', $2::bigint + i * $3::bigint * 1000, 'seq', i,
                'voltageV', 220, 'currentA', 1.5, 'powerKw', (i % 7) + 0.5, 'energyKwh', i,
                'temperatureC', 20 + (i % 13), 'leakageMa', 2,
                'ports', jsonb_build_array(jsonb_build_object('port', 1, 'state', 'charging', 'currentA', 1.5)))
         FROM generate_series(0, $4::int - 1) AS i`,
      [charger, t0, STEP_S, READINGS],
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  const series = async (query: string) => {
    const res = await admin.get(`/api/devices/${charger}/telemetry?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const perHour = 3600 / STEP_S;

  it('answers short ranges from raw rows, bucketed', async () => {
    const from = t0 + 2 * HOUR;
    const body = await series(`metric=powerKw&from=${iso(from)}&to=${iso(from + 2 * HOUR)}&bucket=10m`);
    expect(body).toMatchObject({ source: 'raw', bucketS: 600, unit: 'kW', metric: 'powerKw' });
    expect(body.points).toHaveLength(12);
    body.points.forEach(
      (pt: { t: string; avg: number; min: number; max: number; count: number }, k: number) => {
        const i0 = (2 * HOUR) / 1000 / STEP_S + k * 20;
        expect(pt.t).toBe(iso(from + k * 600_000));
        const e = expected(power, i0, i0 + 20);
        expect(pt.count).toBe(20);
        expect(pt.avg).toBeCloseTo(e.avg, 9);
        expect([pt.min, pt.max]).toEqual([e.min, e.max]);
      },
    );
  });

  it('rolls up every numeric metric once, idempotently, and answers long ranges from the rollup', async () => {
    const jobs = server.gw.app.telemetryJobs;
    await server.pool.query('DELETE FROM rollup_progress');
    const first = await jobs.rollup.runNow({ budgetMs: 120_000 });
    expect(first.skipped).toBe(false);
    const rows = async () =>
      (
        await server.pool.query<{ metric: string; n: number }>(
          'SELECT metric, count(*)::int AS n FROM telemetry_1m WHERE device_id = $1 GROUP BY metric ORDER BY metric',
          [charger],
        )
      ).rows;
    const minutes = (READINGS * STEP_S) / 60;
    expect(await rows()).toEqual(
      ['currentA', 'energyKwh', 'leakageMa', 'powerKw', 'temperatureC', 'voltageV'].map((metric) => ({
        metric,
        n: minutes,
      })),
    );
    const load = await server.pool.query(
      'SELECT count(*)::int AS n, sum(chargers)::int AS c FROM charger_load_1m',
    );
    expect(load.rows[0]).toEqual({ n: minutes, c: minutes });

    // Running again over the same minutes changes nothing.
    await server.pool.query('DELETE FROM rollup_progress');
    await jobs.rollup.runNow({ budgetMs: 120_000 });
    expect(await rows()).toHaveLength(6);
    expect((await rows()).every((r) => r.n === minutes)).toBe(true);

    const body = await series(`metric=temperatureC&from=${iso(t0)}&to=${iso(t0 + 10 * HOUR)}&bucket=1h`);
    expect(body).toMatchObject({ source: 'rollup', bucketS: 3600, unit: '°C' });
    expect(body.points).toHaveLength(10);
    body.points.forEach(
      (pt: { t: string; avg: number; min: number; max: number; count: number }, h: number) => {
        const e = expected(temperature, h * perHour, (h + 1) * perHour);
        expect(pt.t).toBe(iso(t0 + h * HOUR));
        expect(pt.count).toBe(perHour);
        expect(pt.avg).toBeCloseTo(e.avg, 9);
        expect([pt.min, pt.max]).toEqual([e.min, e.max]);
      },
    );
  });

  it('fills the minutes the rollup has not reached yet from raw rows', async () => {
    await server.pool.query('UPDATE rollup_progress SET done_until = $1', [new Date(t0 + 8 * HOUR)]);
    const body = await series(`metric=powerKw&from=${iso(t0)}&to=${iso(t0 + 10 * HOUR)}&bucket=1h`);
    expect(body.source).toBe('rollup');
    expect(body.points.map((p: { count: number }) => p.count)).toEqual(Array(10).fill(perHour));
    expect(body.points[9].avg).toBeCloseTo(expected(power, 9 * perHour, 10 * perHour).avg, 9);
  });

  it('jumps over a long gap without readings instead of walking it', async () => {
    // Progress five days back, readings only in the ten hours from t0: 40 windows of 15 min, not 500.
    await server.pool.query('UPDATE rollup_progress SET done_until = $1', [new Date(t0 - 5 * 24 * HOUR)]);
    const result = await server.gw.app.telemetryJobs.rollup.runNow({ budgetMs: 120_000 });
    expect(result.windows).toBe(40);
    const body = await series(`metric=temperatureC&from=${iso(t0)}&to=${iso(t0 + 10 * HOUR)}&bucket=1h`);
    expect(body.points.map((p: { count: number }) => p.count)).toEqual(Array(10).fill(perHour));
  });

  it('refuses metrics the kind does not have, bad ranges and devices outside the caller region', async () => {
    for (const [query, status] of [
      ['metric=fps', 400],
      ['metric=toString', 400],
      ['metric=ports', 400],
      ['metric=powerKw&from=yesterday', 400],
      [`metric=powerKw&from=${iso(t0 + HOUR)}&to=${iso(t0)}`, 400],
      ['metric=powerKw&bucket=1w', 400],
    ] as const) {
      const res = await admin.get(`/api/devices/${charger}/telemetry?${query}`);
      expect(res.status, query).toBe(status);
    }
    const officer = api(server.url, await login(server.url, 'officer-s01', DEMO_PASSWORD));
    expect((await officer.get(`/api/devices/${remote}/telemetry?metric=fps`)).status).toBe(403);
    expect((await officer.get(`/api/devices/${charger}/telemetry?metric=powerKw`)).status).toBe(200);
    expect((await admin.get(`/api/devices/${uniqueId('nope')}/telemetry?metric=fps`)).status).toBe(404);
  });

  it('retention removes old rows only', async () => {
    const day = 24 * HOUR;
    const old = new Date(Date.now() - 40 * day);
    const veryOld = new Date(Date.now() - 400 * day);
    const id = uniqueId('ret');
    await server.pool.query(
      `INSERT INTO telemetry (device_id, ts, seq, data) VALUES ($1, $2, 1, '{}'), ($1, now() - interval '1 day', 2, '{}')`,
      [id, old],
    );
    await server.pool.query(
      `INSERT INTO events (device_id, ts, seq, type, data) VALUES ($1, $2, 1, 'x', '{}'), ($1, now(), 2, 'x', '{}')`,
      [id, old],
    );
    await server.pool.query(
      `INSERT INTO telemetry_1m (device_id, bucket, metric, avg, min, max, count)
       VALUES ($1, $2, 'm', 1, 1, 1, 1), ($1, $3, 'm', 1, 1, 1, 1)`,
      [id, veryOld, old],
    );
    await server.pool.query(
      `INSERT INTO dead_letters (received_at, reason, topic, size_bytes) VALUES ($1, $2, 't', 1), (now(), $2, 't', 1)`,
      [old, id],
    );
    const result = await server.gw.app.telemetryJobs.retention.runNow();
    expect(result.skipped).toBe(false);
    const left = async (sql: string) => (await server.pool.query(sql, [id])).rows.map((r) => r.n);
    expect(await left('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1')).toEqual([1]);
    expect(await left('SELECT count(*)::int AS n FROM events WHERE device_id = $1')).toEqual([1]);
    expect(await left('SELECT count(*)::int AS n FROM telemetry_1m WHERE device_id = $1')).toEqual([1]);
    expect(await left('SELECT count(*)::int AS n FROM dead_letters WHERE reason = $1')).toEqual([1]);
    // The charger's ten hours are within every retention period.
    const kept = await server.pool.query('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [
      charger,
    ]);
    expect(kept.rows[0].n).toBe(READINGS);
  });

  describe('values the database cannot aggregate', () => {
    const MIN = 60_000;
    const poisoned = uniqueId('chg-bad');
    const healthy = uniqueId('chg-ok');
    const refused = uniqueId('chg-ref');
    // Recent whole minutes, clear of the ten hours above.
    const tp = Math.floor((Date.now() - 20 * MIN) / MIN) * MIN;
    const skippedMetric = (reason: string) =>
      metricValue(server.gw.app.metrics, 'gridwatch_rollup_skipped_total', { reason });
    /** A charger reading as stored before the catalogue bounded energyKwh (JSON text, so 1e400 survives). */
    const reading = (ts: number, seq: number, powerKw: number, energyKwh: string) =>
      `{"ts": ${ts}, "seq": ${seq}, "voltageV": 220, "currentA": 1, "powerKw": ${powerKw}, "energyKwh": ${energyKwh},
        "temperatureC": 30, "leakageMa": 1, "ports": []}`;
    const insert = async (deviceId: string, ts: number, seq: number, powerKw: number, energyKwh: string) =>
      server.pool.query('INSERT INTO telemetry (device_id, ts, seq, data) VALUES ($1, $2, $3, $4::jsonb)', [
        deviceId,
        new Date(ts),
        seq,
        reading(ts, seq, powerKw, energyKwh),
      ]);
    const rolled = async (deviceId: string, metric: string) =>
      (
        await server.pool.query<{ bucket: Date; avg: number; count: number }>(
          `SELECT bucket, avg, count FROM telemetry_1m
            WHERE device_id = $1 AND metric = $2 AND bucket >= $3 ORDER BY bucket`,
          [deviceId, metric, new Date(tp - 30 * MIN)],
        )
      ).rows.map((r) => [r.bucket.getTime() - tp, r.avg, r.count]);

    beforeAll(async () => {
      for (const id of [poisoned, healthy, refused]) {
        const res = await admin.post('/api/devices', {
          id,
          kind: 'charger',
          name: id,
          lon: AT.g1a[0],
          lat: AT.g1a[1],
        });
        expect(res.status).toBe(201);
      }
      // Minute 0: two readings whose sum overflows float8; minute 1: a normal one; minute 2: a
      // value beyond float8 altogether. The healthy charger reports in every minute.
      await insert(poisoned, tp + 1_000, 1, 1, '1e308');
      await insert(poisoned, tp + 31_000, 2, 2, '1e308');
      await insert(poisoned, tp + MIN + 1_000, 3, 4, '5');
      await insert(poisoned, tp + 2 * MIN + 1_000, 4, 4, '1e400');
      for (let m = 0; m < 3; m++) await insert(healthy, tp + m * MIN + 5_000, m, 3, String(100 + m));
      // Rolled up (into avg 1e308) before the fix: sums over these minutes overflow.
      await server.pool.query(
        `INSERT INTO telemetry_1m (device_id, bucket, metric, avg, min, max, count)
         VALUES ($1, $2, 'energyKwh', 1e308, 1e308, 1e308, 4), ($1, $3, 'energyKwh', 1e308, 1e308, 1e308, 4)`,
        [poisoned, new Date(tp - 10 * HOUR), new Date(tp - 10 * HOUR + MIN)],
      );
    });

    it('the rollup leaves them out, counts them and moves on for every other value and device', async () => {
      const before = await skippedMetric('value-out-of-range');
      await server.pool.query('UPDATE rollup_progress SET done_until = $1', [new Date(tp)]);
      const result = await server.gw.app.telemetryJobs.rollup.runNow({ budgetMs: 120_000 });
      expect(result.skipped).toBe(false);
      expect(result.doneUntil!.getTime()).toBeGreaterThanOrEqual(tp + 3 * MIN);
      expect(result.left['value-out-of-range']).toBe(3);
      expect((await skippedMetric('value-out-of-range')) - before).toBe(3);
      expect(await rolled(healthy, 'energyKwh')).toEqual([
        [0, 100, 1],
        [MIN, 101, 1],
        [2 * MIN, 102, 1],
      ]);
      // The poisoned charger's other metrics and its normal minute are there.
      expect(await rolled(poisoned, 'energyKwh')).toEqual([[MIN, 5, 1]]);
      expect(await rolled(poisoned, 'powerKw')).toEqual([
        [0, 1.5, 2],
        [MIN, 4, 1],
        [2 * MIN, 4, 1],
      ]);
      const load = await server.pool.query<{ power_kw: number; chargers: number }>(
        'SELECT power_kw, chargers FROM charger_load_1m WHERE bucket = $1',
        [new Date(tp)],
      );
      expect(load.rows).toEqual([{ power_kw: 4.5, chargers: 2 }]);
    });

    it('a device-minute the database still refuses is left out, counted, and the others roll up', async () => {
      await insert(refused, tp + 2 * MIN + 9_000, 1, 7, '7');
      await insert(healthy, tp + 2 * MIN + 9_000, 9, 3, '200');
      // Stands in for any data error the bounds did not foresee: this device's rows are refused.
      await server.pool.query(`
        CREATE FUNCTION gw_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.device_id = '${refused}' THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22003'; END IF;
          RETURN NEW;
        END $$`);
      await server.pool.query(
        'CREATE TRIGGER gw_test_refuse BEFORE INSERT ON telemetry_1m FOR EACH ROW EXECUTE FUNCTION gw_test_refuse()',
      );
      try {
        const before = await skippedMetric('device-minute-failed');
        await server.pool.query('UPDATE rollup_progress SET done_until = $1', [new Date(tp + 2 * MIN)]);
        const result = await server.gw.app.telemetryJobs.rollup.runNow({ budgetMs: 120_000 });
        expect(result.doneUntil!.getTime()).toBeGreaterThanOrEqual(tp + 3 * MIN);
        expect(result.left['device-minute-failed']).toBe(1);
        expect((await skippedMetric('device-minute-failed')) - before).toBe(1);
        expect(await rolled(refused, 'powerKw')).toEqual([]);
        expect((await rolled(healthy, 'energyKwh')).at(-1)).toEqual([2 * MIN, 151, 2]);
      } finally {
        await server.pool.query('DROP TRIGGER gw_test_refuse ON telemetry_1m');
        await server.pool.query('DROP FUNCTION gw_test_refuse()');
      }
    });

    it('the chart answers with the other values and says how many it left out', async () => {
      const chart = async (deviceId: string, query: string) => {
        const res = await admin.get(`/api/devices/${deviceId}/telemetry?${query}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body;
      };
      const recent = await chart(
        poisoned,
        `metric=energyKwh&from=${iso(tp - MIN)}&to=${iso(tp + 5 * MIN)}&bucket=1m`,
      );
      expect(recent).toMatchObject({ source: 'raw', skipped: 3 });
      expect(recent.points.map((p: { t: string; avg: number }) => [p.t, p.avg])).toEqual([
        [iso(tp + MIN), 5],
      ]);
      const power = await chart(
        poisoned,
        `metric=powerKw&from=${iso(tp - MIN)}&to=${iso(tp + 5 * MIN)}&bucket=1m`,
      );
      expect(power.skipped).toBe(0);
      expect(power.points.map((p: { avg: number }) => p.avg)).toEqual([1.5, 4, 4]);

      // Twelve hours: served from the rollup, whose two minutes from before the fix are left out.
      const long = await chart(
        poisoned,
        `metric=energyKwh&from=${iso(tp - 11 * HOUR)}&to=${iso(tp + 5 * MIN)}&bucket=1h`,
      );
      expect(long).toMatchObject({ source: 'rollup', skipped: 8 });
      expect(long.points.map((p: { avg: number; count: number }) => [p.avg, p.count])).toEqual([[5, 1]]);
      const other = await chart(
        healthy,
        `metric=energyKwh&from=${iso(tp - 11 * HOUR)}&to=${iso(tp + 5 * MIN)}&bucket=1h`,
      );
      expect(other.skipped).toBe(0);
      expect(other.points.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(4);
    });
  });
});
