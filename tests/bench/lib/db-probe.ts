import pg from 'pg';

/**
 * The database's own pace during a run, independent of ingest: every `everyMs`, a tiny
 * durable transaction (one-row INSERT + COMMIT, so a WAL flush) on a separate connection,
 * timed; plus the WAL and checkpoint counters before and after. When ingest's commits are
 * slow and this is slow too, the time goes in PostgreSQL or the disk, not in the server.
 */
export async function startDbProbe(databaseUrl: string, everyMs = 500) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS gw_bench_probe (at timestamptz NOT NULL DEFAULT now())');
  const counters = async () => {
    const wal = await client
      .query<{ wal_bytes: string; wal_sync: string; wal_write: string }>(
        'SELECT wal_bytes::text, wal_sync::text, wal_write::text FROM pg_stat_wal',
      )
      .catch(() => ({ rows: [] }));
    const ckpt = await client.query<{ timed: string; req: string }>(
      'SELECT checkpoints_timed::text AS timed, checkpoints_req::text AS req FROM pg_stat_bgwriter',
    );
    return {
      walBytes: Number(wal.rows[0]?.wal_bytes ?? Number.NaN),
      walSyncs: Number(wal.rows[0]?.wal_sync ?? Number.NaN),
      checkpoints: Number(ckpt.rows[0]!.timed) + Number(ckpt.rows[0]!.req),
    };
  };
  const before = await counters();
  const t0 = performance.now();
  const commits: number[] = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const start = performance.now();
    try {
      await client.query('INSERT INTO gw_bench_probe DEFAULT VALUES');
      commits.push(performance.now() - start);
    } catch {}
    busy = false;
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 20));
      const after = await counters();
      const seconds = (performance.now() - t0) / 1000;
      await client.query('DROP TABLE IF EXISTS gw_bench_probe').catch(() => {});
      await client.end().catch(() => {});
      return {
        commits,
        walMBps: (after.walBytes - before.walBytes) / seconds / 2 ** 20,
        walSyncsPerS: (after.walSyncs - before.walSyncs) / seconds,
        checkpoints: after.checkpoints - before.checkpoints,
      };
    },
  };
}
