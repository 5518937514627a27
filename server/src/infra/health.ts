import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Readiness checks contributed by domains (e.g. ingest: broker connected). */
    readiness: Map<string, () => boolean | Promise<boolean>>;
  }
}

/** `/healthz`: the process answers. `/readyz`: the database and every registered check answer. */
export default fp(
  async (app) => {
    app.decorate('readiness', new Map<string, () => boolean | Promise<boolean>>());
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
      const checks: Record<string, boolean> = {};
      try {
        await app.db.query('SELECT 1');
        checks.database = true;
      } catch {
        checks.database = false;
      }
      for (const [name, check] of app.readiness) {
        try {
          checks[name] = await check();
        } catch {
          checks[name] = false;
        }
      }
      const ready = Object.values(checks).every(Boolean);
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
    });
  },
  { name: 'health', dependencies: ['db'] },
);
