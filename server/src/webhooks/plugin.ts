import fp from 'fastify-plugin';
import { ConfigError } from '../infra/config.ts';
import { parseTargets } from './core/targets.ts';
import { createWebhookMetrics } from './metrics.ts';
import { webhookRoutes } from './routes.ts';
import { createWebhookService, type WebhookService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookService;
  }
}

/**
 * Signed outcome webhooks through an outbox table: a worker in every instance claims due
 * messages (SKIP LOCKED, with a lease), sends them, and retries with backoff until a 2xx.
 */
export default fp(
  async (app) => {
    const { config } = app;
    const log = app.log.child({ domain: 'webhooks' });
    let targets: ReturnType<typeof parseTargets>;
    try {
      targets = parseTargets(config.WEBHOOK_TARGETS);
    } catch (err) {
      throw new ConfigError('WEBHOOK_TARGETS', (err as Error).message);
    }

    let timer: NodeJS.Timeout | null = null;
    let running: Promise<void> | null = null;
    let again = false;
    let stopped = true;
    const run = (): void => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      if (timer) clearTimeout(timer);
      running = (async () => {
        let claimed: number;
        do {
          again = false;
          claimed = await service.deliverDue();
        } while (!stopped && (again || claimed === config.WEBHOOK_BATCH));
      })()
        .catch((err) => log.error({ err }, 'webhook delivery round failed'))
        .finally(() => {
          running = null;
          if (!stopped) timer = setTimeout(run, config.WEBHOOK_POLL_MS).unref();
        });
    };

    const service = createWebhookService({
      db: app.db,
      targets,
      policy: {
        baseMs: config.WEBHOOK_BACKOFF_BASE_MS,
        maxMs: config.WEBHOOK_BACKOFF_MAX_MS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        deadAfterRefusals: config.WEBHOOK_DEAD_AFTER_REFUSALS,
      },
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      batch: config.WEBHOOK_BATCH,
      metrics: createWebhookMetrics(app.metrics, app.db),
      log,
      nudge: () => setImmediate(run),
    });
    app.decorate('webhooks', service);
    webhookRoutes(app, service);

    app.addHook('onReady', async () => {
      stopped = false;
      run();
    });
    app.addHook('preClose', async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    });
  },
  { name: 'webhooks', dependencies: ['db', 'auth', 'metrics'] },
);
