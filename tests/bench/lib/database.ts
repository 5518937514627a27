import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database of the bench's own on the real server, dropped at the end. */
export async function createBenchDatabase(
  adminUrl: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `gw_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

/** Rows stored for the bench fleet: telemetry and events (what the load generator sends). */
export async function storedCount(
  pool: pg.Pool,
  prefix: string,
): Promise<{ telemetry: number; events: number }> {
  const like = `${prefix}-%`;
  const t = await pool.query<{ n: string }>('SELECT count(*) AS n FROM telemetry WHERE device_id LIKE $1', [
    like,
  ]);
  const e = await pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE device_id LIKE $1', [
    like,
  ]);
  return { telemetry: Number(t.rows[0]!.n), events: Number(e.rows[0]!.n) };
}

/**
 * Publish-to-commit latency probe. The telemetry table has no arrival column, so a row
 * trigger on a few sentinel devices (the WHEN clause keeps it off the other rows) sends
 * a NOTIFY; PostgreSQL delivers notifications only when the inserting transaction
 * commits, and the payload `ts` is the publish time, so receipt − ts is publish → commit
 * (plus notification delivery, well under a millisecond locally). The trigger lives in
 * the bench's own database only.
 */
export async function startCommitProbe(
  databaseUrl: string,
  sentinels: string[],
): Promise<{ latencies: number[]; reset(): void; stop(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const list = sentinels.map((s) => `'${s.replace(/'/g, "''")}'`).join(',');
  await client.query(`
    CREATE OR REPLACE FUNCTION gw_bench_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Identical payloads in one transaction are delivered once: make each row's unique.
      PERFORM pg_notify('gw_bench_commit',
        NEW.device_id || ' ' || NEW.seq || ' ' || (extract(epoch FROM NEW.ts) * 1000)::bigint::text);
      RETURN NULL;
    END $$`);
  await client.query('DROP TRIGGER IF EXISTS gw_bench_commit ON telemetry');
  await client.query(`
    CREATE TRIGGER gw_bench_commit AFTER INSERT ON telemetry
    FOR EACH ROW WHEN (NEW.device_id IN (${list})) EXECUTE FUNCTION gw_bench_notify()`);
  const latencies: number[] = [];
  client.on('notification', (msg) => {
    const ts = Number(msg.payload?.split(' ').at(-1));
    if (Number.isFinite(ts)) latencies.push(Date.now() - ts);
  });
  await client.query('LISTEN gw_bench_commit');
  return {
    latencies,
    reset() {
      latencies.length = 0;
    },
    async stop() {
      await client.query('UNLISTEN *').catch(() => {});
      await client.query('DROP TRIGGER IF EXISTS gw_bench_commit ON telemetry').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
