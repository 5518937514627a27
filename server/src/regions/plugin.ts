import fp from 'fastify-plugin';
import { regionRoutes } from './region-routes.ts';
import { RegionService } from './region-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Region index (tree and grid polygons) for placement, scope and stats. */
    regions: RegionService;
  }
}

/** Regions and map features. Devices are placed in them by the device registry. */
export default fp(
  async (app) => {
    const regions = new RegionService(app.db);
    app.decorate('regions', regions);
    regionRoutes(app, regions);
  },
  { name: 'regions', dependencies: ['context', 'db', 'bus', 'auth'] },
);
