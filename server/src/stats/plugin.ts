import fp from 'fastify-plugin';
import { statsRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Drops cached figures (tests, after an import). */
    stats: { clear(): void };
  }
}

/** The wall screen's figures (`/api/stats/*`), scoped to the caller's region and cached briefly. */
export default fp(
  async (app) => {
    const stats = statsRoutes(app);
    app.decorate('stats', stats);
    app.bus.on('devices-changed', () => stats.clear());
  },
  { name: 'stats', dependencies: ['context', 'db', 'bus', 'regions'] },
);
