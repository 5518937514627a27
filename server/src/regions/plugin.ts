import fp from 'fastify-plugin';
import { deviceRoutes } from './device-routes.ts';
import { Provisioner } from './provisioning.ts';
import { regionRoutes } from './region-routes.ts';
import { RegionService } from './region-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Region index (tree and grid polygons) for placement, scope and stats. */
    regions: RegionService;
  }
}

/** Regions, map features and the device registry. */
export default fp(
  async (app) => {
    const regions = new RegionService(app.db, app.log.child({ domain: 'regions' }));
    const provisioner = new Provisioner(app, app.log.child({ domain: 'provisioning' }));
    app.decorate('regions', regions);
    regionRoutes(app, regions);
    await app.register(async (scoped) => deviceRoutes(scoped, { regions, provisioner }));
    app.addHook('onClose', async () => {
      await provisioner.close();
    });
  },
  { name: 'regions', dependencies: ['context', 'db', 'bus', 'auth', 'identity'] },
);
