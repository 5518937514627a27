import fp from 'fastify-plugin';
import pg from 'pg';
import { migrate } from './migrate.ts';

// Timestamps come back as Date; bigint (count(*), seq) as number: values stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * The pg pool, migrated before anything else uses it. An idle client's error (the
 * database restarting) is logged, not fatal: the pool opens a new connection next time.
 */
export default fp(
  async (app) => {
    const { gw } = app;
    const pool = new pg.Pool({
      connectionString: gw.databaseUrl,
      max: gw.databaseEmbedded ? 1 : app.config.DATABASE_POOL_MAX,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: 'gridwatch',
    });
    pool.on('error', (err) => app.log.warn({ err }, 'idle database connection lost'));
    // A checked-out client whose connection drops emits 'error' too; without a listener the
    // process would crash. The query in flight fails and its caller retries.
    pool.on('connect', (client) => {
      client.on('error', (err) => app.log.warn({ err }, 'database connection lost'));
    });
    const result = await migrate(pool, app.log.child({ domain: 'db' }));
    app.decorate('db', pool);
    app.decorate('timescale', result.timescale);
    app.log.info({ timescale: result.timescale, applied: result.applied.length }, 'database ready');
    app.addHook('onClose', async () => {
      await pool.end();
    });
  },
  { name: 'db', dependencies: ['context'] },
);
