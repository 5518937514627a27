import fp from 'fastify-plugin';
import { Provisioner } from './provisioning.ts';
import { deviceRoutes } from './routes.ts';
import { createRegistry, type DeviceRegistry, DIRECTORY_REFRESH_MS } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The device registry: owner of `devices`, keeper of the in-memory device directory. */
    registry: DeviceRegistry;
  }
}

/**
 * The device registry: device routes (import, registration, list, detail), placement in
 * grids, broker provisioning, and the directory every other domain reads. The directory is
 * read whole at boot; after that local writes update it in place, and a read every
 * `DIRECTORY_REFRESH_MS` picks up what other instances changed.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'registry' });
    const provisioner = new Provisioner(app, app.log.child({ domain: 'provisioning' }));
    const registry = createRegistry({ db: app.db, regions: app.regions, provisioner, bus: app.bus, log });
    await registry.load();
    log.info({ devices: registry.directory.size }, 'device directory loaded');
    app.decorate('registry', registry);
    await app.register(async (scoped) => deviceRoutes(scoped, { registry, provisioner }));

    const refresh = setInterval(() => {
      registry.load().catch((err) => log.warn({ err }, 'device directory refresh failed; will retry'));
    }, DIRECTORY_REFRESH_MS);
    refresh.unref();
    app.addHook('onClose', async () => {
      clearInterval(refresh);
      await provisioner.close();
    });
  },
  { name: 'registry', dependencies: ['context', 'db', 'bus', 'auth', 'identity', 'regions'] },
);
