import fp from 'fastify-plugin';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** One Prometheus registry per app instance, so tests can run several apps in one process. */
export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'gridwatch_' });
    app.decorate('metrics', registry);
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics' },
);
