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
  // Where the server's connections spend their time: sampled states and wait events.
  const activity = new Map<string, number>();
  let activitySamples = 0;
  let sampling = false;
  const activityTimer = setInterval(async () => {
    if (sampling) return;
    sampling = true;
    try {
      const res = await client.query<{ what: string; n: string }>(
        `SELECT CASE WHEN state = 'active' THEN 'active: ' || coalesce(wait_event_type || '/' || wait_event, 'on CPU')
                     ELSE state END AS what, count(*)::text AS n
           FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          GROUP BY 1`,
      );
      activitySamples++;
      for (const r of res.rows) activity.set(r.what, (activity.get(r.what) ?? 0) + Number(r.n));
    } catch {}
    sampling = false;
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      clearInterval(activityTimer);
      while (sampling) await new Promise((r) => setTimeout(r, 20));
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
        /** Average number of server connections in each state (sampled every 100 ms). */
        activity: [...activity]
          .map(([what, n]) => [what, n / Math.max(1, activitySamples)] as const)
          .sort((a, b) => b[1] - a[1]),
      };
    },
  };
}
