import fp from 'fastify-plugin';
import { parseAutoOpen } from './auto-open.ts';
import { createHotlineSystems } from './hotline.ts';
import { attachCaseRealtime } from './realtime.ts';
import { caseRoutes } from './routes.ts';
import { type CaseService, createCaseService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    cases: CaseService;
  }
}

/**
 * Cases (事件闭环): one intake queue from every source, the loop's transitions through the
 * pure state machine, region- and unit-scoped reads, Socket.IO events, and alerts of the
 * configured causes opening their case by themselves.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'cases' });
    const autoOpen = parseAutoOpen(app.config.CASE_AUTO_OPEN);
    let publish: ReturnType<typeof attachCaseRealtime> = () => {};
    const service = createCaseService({
      db: app.db,
      log,
      directory: () => app.organisation,
      matters: () => app.matters,
      regions: app.regions,
      alerts: app.alerts,
      autoOpen,
      attachments: app.attachments,
      publish: (row, change, before) => publish(row, change, before),
    });
    publish = attachCaseRealtime(app.io, service, log);
    app.decorate('cases', service);
    // Photos on reports and feedback: seen by whoever sees the case, kept as long as the case.
    app.attachments.registerOwner('case', {
      access: (user, id, mode) => service.attachmentAccess(user, id, mode),
    });
    caseRoutes(app, { cases: service, hotline: createHotlineSystems(app.db) });

    // Alerts are raised on the instance that detected them, so one instance opens their case;
    // the unique alert id on cases settles any race.
    const pending = new Set<Promise<unknown>>();
    const onAlert = (alert: Parameters<CaseService['autoOpen']>[0], change: 'new' | 'update') => {
      if (change !== 'new' || autoOpen.length === 0) return;
      const run = service
        .autoOpen(alert)
        .catch((err) => log.error({ err, alert: alert.id }, 'auto-open of a case failed'))
        .finally(() => pending.delete(run));
      pending.add(run);
    };
    app.bus.on('alert', onAlert);
    app.addHook('preClose', async () => {
      app.bus.off('alert', onAlert);
      await Promise.allSettled([...pending]);
    });
  },
  {
    name: 'cases',
    dependencies: [
      'db',
      'bus',
      'auth',
      'regions',
      'alerts',
      'attachments',
      'realtime',
      'organisation',
      'matters',
    ],
  },
);
