import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

/** The SPA's own client-side routes: each answers with index.html. */
const SPA_PREFIXES = ['/screen', '/console', '/login'];

const DEFAULT_DIR = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

const NOT_BUILT = (
  dir: string,
) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>gridwatch</title></head>
<body style="font-family:sans-serif;background:#06122a;color:#d8ecff;padding:48px">
<h1>大屏尚未构建 · Dashboard not built</h1>
<p>请先运行 / Run: <code>npm run build:dashboard</code></p>
<p>Looked in <code>${dir.replace(/[<>&]/g, '')}</code> (set DASHBOARD_DIR to serve another build).</p>
</body></html>`;

/**
 * Serves the built dashboard (DASHBOARD_DIR or dashboard/dist): hashed assets with long
 * caching, index.html for the SPA's routes, and a page saying how to build it when it is
 * missing. API and Socket.IO paths are never shadowed.
 */
export default fp(
  async (app) => {
    const dir = resolve(app.config.DASHBOARD_DIR ?? DEFAULT_DIR);
    const index = join(dir, 'index.html');
    const built = existsSync(index);
    const log = app.log.child({ domain: 'dashboard' });

    if (built) {
      await app.register(fastifyStatic, {
        root: dir,
        prefix: '/',
        wildcard: false,
        index: false,
        // Asset names carry a content hash: cache them for good; index.html below is never cached.
        maxAge: '365d',
        immutable: true,
      });
    } else {
      log.warn({ dir }, 'dashboard not built: run npm run build:dashboard');
    }

    const page = async (_req: unknown, reply: import('fastify').FastifyReply) => {
      if (!built || !existsSync(index))
        return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT(dir));
      return reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { cacheControl: false });
    };
    const hide = { hide: true };
    app.get('/', { schema: hide }, async (_req, reply) => reply.redirect('/screen'));
    for (const prefix of SPA_PREFIXES) {
      app.get(prefix, { schema: hide }, page);
      app.get(`${prefix}/*`, { schema: hide }, page);
    }
  },
  { name: 'dashboard', dependencies: ['context'] },
);
