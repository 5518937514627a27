import fp from 'fastify-plugin';
import { AlertEmitter } from './emitter.ts';
import { createAlertMetrics } from './metrics.ts';
import { alertRoutes } from './routes.ts';
import { type AlertService, createAlertService } from './service.ts';
import { ackLimitsFrom } from './severity.ts';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertService;
  }
}

/**
 * Alerts: dedup and lifecycle of detection findings, acknowledgement limits (overdue),
 * REST. Every committed change goes on the bus as 'alert' for realtime.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'alerts' });
    const emitter = new AlertEmitter((alert, change) => app.bus.emit('alert', alert, change));
    const service = createAlertService({
      db: app.db,
      devices: app.registry,
      limits: ackLimitsFrom(app.config),
      emitter,
      log,
      metrics: createAlertMetrics(app.metrics, app.db),
    });
    app.decorate('alerts', service);
    alertRoutes(app, service);

    let checking: Promise<unknown> | null = null;
    const timer = setInterval(() => {
      if (checking) return;
      checking = service
        .checkOverdue()
        .catch((err) => log.error({ err }, 'overdue check failed'))
        .finally(() => {
          checking = null;
        });
    }, app.config.ALERT_OVERDUE_CHECK_MS);
    timer.unref();
    // preClose: the pool is still open, so a check in flight can finish.
    app.addHook('preClose', async () => {
      clearInterval(timer);
      await checking;
      emitter.stop();
    });
  },
  { name: 'alerts', dependencies: ['db', 'bus', 'auth', 'metrics', 'registry'] },
);
