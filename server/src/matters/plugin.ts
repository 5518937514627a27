import type { MatterCatalogue, MatterItem } from '@gridwatch/devices';
import fp from 'fastify-plugin';
import { matterRoutes } from './routes.ts';
import { MattersService } from './service.ts';

/** The matter catalogue as other domains see it; synchronous, kept up to date in place. */
export interface Matters {
  /** The latest version and its items. */
  current(): MatterCatalogue;
  /** An item of the latest version, or of `version` (the one a case was opened under). */
  item(code: string, version?: number): MatterItem | undefined;
  /** A whole version, or undefined when there is no such version. */
  version(version: number): MatterCatalogue | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    matters: Matters;
  }
}

/** How often another instance's edits are looked for. */
const REFRESH_MS = 15_000;

/** The matter catalogue (事项清单): versioned items with lead departments and step limits. */
export default fp(
  async (app) => {
    const service = new MattersService({
      db: app.db,
      log: app.log.child({ domain: 'matters' }),
      refreshMs: REFRESH_MS,
    });
    await service.start();
    app.decorate('matters', {
      current: () => service.current(),
      item: (code, version) => service.item(code, version),
      version: (version) => service.version(version),
    } satisfies Matters);
    matterRoutes(app, service);
    app.addHook('onClose', async () => service.stop());
  },
  { name: 'matters', dependencies: ['context', 'db', 'auth', 'organisation'] },
);
