import { join, resolve } from 'node:path';
import fp from 'fastify-plugin';
import { ConfigError } from '../infra/config.ts';
import { PeriodicJob } from '../telemetry/periodic-job.ts';
import { alertOwner } from './alert-owner.ts';
import { FsBlobStore } from './blob-store.ts';
import type { SizeLimits } from './core/media-types.ts';
import { parseRetention } from './core/retention.ts';
import { attachmentRoutes } from './routes.ts';
import { type AttachmentService, createAttachmentService } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    attachments: AttachmentService;
  }
}

const MB = 1024 * 1024;

/**
 * Attachments: photos and short video of any owner (alerts here; cases register their own
 * owner type), checked by content, kept in a blob store under DATA_DIR, served to those who
 * may see the owner. Retention runs hourly.
 */
export default fp(
  async (app) => {
    const { config } = app;
    const log = app.log.child({ domain: 'attachments' });
    let retention: Map<string, number>;
    try {
      retention = parseRetention(config.ATTACHMENT_RETENTION_DAYS);
    } catch (err) {
      throw new ConfigError('ATTACHMENT_RETENTION_DAYS', (err as Error).message);
    }
    const limits: SizeLimits = {
      image: Math.round(config.ATTACHMENT_IMAGE_MAX_MB * MB),
      video: Math.round(config.ATTACHMENT_VIDEO_MAX_MB * MB),
    };
    const blobs = new FsBlobStore(resolve(config.ATTACHMENT_DIR ?? join(config.DATA_DIR, 'attachments')));
    await blobs.start();
    const service = createAttachmentService({
      db: app.db,
      blobs,
      spoolDir: blobs.tmpDir,
      limits,
      maxPixels: Math.round(config.ATTACHMENT_MAX_MEGAPIXELS * 1e6),
      retention,
      log,
    });
    app.decorate('attachments', service);
    service.registerOwner('alert', alertOwner(app));
    await app.register(attachmentRoutes, { service, limits });

    const purge = new PeriodicJob('attachment-retention', 3_600_000, () => service.purgeExpired(), log);
    app.addHook('onReady', async () => purge.start(60_000));
    app.addHook('preClose', async () => purge.stop());
  },
  { name: 'attachments', dependencies: ['db', 'auth', 'alerts'] },
);
