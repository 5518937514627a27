import fp from 'fastify-plugin';
import { PeriodicJob } from './periodic-job.ts';
import { type RetentionResult, retentionOnce } from './retention.ts';
import { type RollupResult, rollupOnce } from './rollup.ts';
import { telemetryRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Storage jobs; `runNow()` runs one pass at once (tests, benches, operators). */
    telemetryJobs: { rollup: PeriodicJob<RollupResult>; retention: PeriodicJob<RetentionResult> };
  }
}

const ROLLUP_EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 3600_000;

/** Device telemetry charts, the 1-minute rollup job and retention. */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'telemetry' });
    const rollup = new PeriodicJob('rollup', ROLLUP_EVERY_MS, () => rollupOnce(app.db, log), log);
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
  { name: 'telemetry', dependencies: ['context', 'db', 'regions'] },
);
