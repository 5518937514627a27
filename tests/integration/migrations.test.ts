import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/src/infra/db/migrate.ts';
import { type Gridwatch, startGridwatch } from '../../server/src/main.ts';
import { availableBackends, testServerEnv, uniqueId } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';
import { AT, devicePoint, districtGeoJson, G1A } from './regions-fixtures.ts';

const COUNTED = ['regions', 'map_features', 'devices', 'telemetry', 'telemetry_1m', 'alerts', 'users'];

describe.each(availableBackends())('migrations on %s', (backend) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let gw: Gridwatch | undefined;
  const device = uniqueId('chg');

  const snapshot = async (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const counts: Record<string, number> = {};
      for (const table of COUNTED)
        counts[table] = (await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      const migrations = (
        await pool.query<{ name: string; applied_at: Date }>(
          'SELECT name, applied_at FROM schema_migrations ORDER BY name',
        )
      ).rows.map((r) => `${r.name}@${r.applied_at.toISOString()}`);
      const path = (await pool.query('SELECT grid_id, street_id FROM devices WHERE id = $1', [device]))
        .rows[0];
      let hypertables: string[] = [];
      const ts = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
      if (ts.rowCount)
        hypertables = (
          await pool.query<{ hypertable_name: string }>(
            'SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1',
          )
        ).rows.map((r) => r.hypertable_name);
      return { counts, migrations, path, hypertables };
    } finally {
      await pool.end();
    }
  };

  beforeAll(async () => {
    ({ env, cleanup } = await testServerEnv(backend));
  });
  afterAll(async () => {
    await gw?.close().catch(() => {});
    await cleanup?.();
  });

  it('runs again on a database that has data: data intact, nothing reapplied', async () => {
    gw = await startGridwatch({ env });
    const admin = api(gw.url, await login(gw.url));
    expect((await admin.post('/api/regions/import', districtGeoJson())).status).toBe(200);
    expect(
      (
        await admin.post('/api/devices/import', {
          type: 'FeatureCollection',
          features: [devicePoint(device, 'charger', AT.g1a)],
        })
      ).status,
    ).toBe(200);
    const db = new pg.Pool({ connectionString: gw.context.databaseUrl, max: 1 });
    await db.query(
      `INSERT INTO telemetry (device_id, ts, seq, data)
       SELECT $1, now() - (i + 1) * interval '1 minute', i, jsonb_build_object('powerKw', i) FROM generate_series(1, 100) AS i`,
      [device],
    );
    await db.query(
      `INSERT INTO alerts (id, cause, severity, state, device_id, device_kind, device_ids, message, first_seen, last_seen, ack_due_at)
       VALUES (gen_random_uuid(), 'test', 'major', 'active', $1, 'charger', ARRAY[$1], 'm', now(), now(), now())`,
      [device],
    );
    await db.end();
    // Readings are all in completed minutes, so this pass rolls up every one of them and the
    // restarted server's own pass changes nothing.
    await gw.app.telemetryJobs.rollup.runNow({ budgetMs: 120_000 });
    const url = gw.context.databaseUrl;
    const before = await snapshot(url);
    expect(before.counts.telemetry).toBe(100);
    expect(before.counts.telemetry_1m).toBeGreaterThan(0);
    expect(before.migrations.map((m) => m.split('@')[0])).toContain('040_storage.sql');
    if (backend === 'real') expect(before.hypertables).toEqual(['events', 'telemetry']);

    // Migrating again, directly, applies nothing.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const again = await migrate(pool, pino({ level: 'silent' }));
    expect(again.applied).toEqual([]);
    // Re-running this domain's migration over existing tables (hypertables on TimescaleDB) is harmless.
    await pool.query("DELETE FROM schema_migrations WHERE name = '040_storage.sql'");
    const redo = await migrate(pool, pino({ level: 'silent' }));
    expect(redo.applied).toEqual(['040_storage.sql']);
    await pool.query('UPDATE schema_migrations SET applied_at = $1 WHERE name = $2', [
      new Date(before.migrations.find((m) => m.startsWith('040_'))!.split('@')[1]!),
      '040_storage.sql',
    ]);
    await pool.end();

    // A full restart on the same database (same data directory when embedded).
    await gw.close();
    gw = await startGridwatch({ env });
    const after = await snapshot(gw.context.databaseUrl);
    expect(after).toEqual(before);
    expect(after.path).toEqual({ grid_id: G1A, street_id: expect.any(String) });

    const admin2 = api(gw.url, await login(gw.url));
    const found = await admin2.get(`/api/devices/${device}`);
    expect(found.status).toBe(200);
    expect(found.body.gridId).toBe(G1A);
    const series = await admin2.get(
      `/api/devices/${device}/telemetry?metric=powerKw&from=${new Date(Date.now() - 3 * 3600_000).toISOString()}`,
    );
    expect(series.status).toBe(200);
    expect(series.body.points.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(100);
  });
});
