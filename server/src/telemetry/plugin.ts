import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import { PeriodicJob } from './periodic-job.ts';
import { type RetentionResult, retentionOnce } from './retention.ts';
import { type RollupOptions, type RollupResult, rollupOnce } from './rollup.ts';
import { telemetryRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Storage jobs; `runNow()` runs one pass at once (tests, benches, operators). */
    telemetryJobs: {
      rollup: PeriodicJob<RollupResult, RollupOptions>;
      retention: PeriodicJob<RetentionResult>;
    };
  }
}

const ROLLUP_EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 3600_000;

/** Device telemetry charts, the 1-minute rollup job and retention. */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'telemetry' });
    // The embedded database has one connection, shared with ingest: catch up in short passes.
    const budgetMs = app.gw.databaseEmbedded ? 2_000 : 20_000;
    const skippedTotal = new Counter({
      name: 'gridwatch_rollup_skipped_total',
      help: 'What the 1-minute rollup left out rather than stop on: values it cannot aggregate, device-minutes or grid-load minutes the database refused',
      labelNames: ['reason'] as const,
      registers: [app.metrics],
    });
    const onSkipped = (reason: string, n: number) => skippedTotal.inc({ reason }, n);
    const rollup = new PeriodicJob<RollupResult, RollupOptions>(
      'rollup',
      ROLLUP_EVERY_MS,
      (opts) => rollupOnce(app.db, log, { budgetMs, onSkipped, ...opts }),
      log,
    );
    const retention = new PeriodicJob(
      'retention',
      RETENTION_EVERY_MS,
      () =>
        retentionOnce(app.db, log, {
          timescale: app.timescale.enabled,
          rawDays: app.config.RETENTION_DAYS,
          rollupDays: app.config.ROLLUP_RETENTION_DAYS,
        }),
      log,
    );
    app.decorate('telemetryJobs', { rollup, retention });
    telemetryRoutes(app);
    app.addHook('onReady', async () => {
      rollup.start(5_000);
      retention.start(30_000);
    });
    app.addHook('onClose', async () => {
      await Promise.all([rollup.stop(), retention.stop()]);
    });
  },
  { name: 'telemetry', dependencies: ['context', 'metrics', 'db', 'regions'] },
);
