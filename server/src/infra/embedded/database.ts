import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * PGlite kept in `dataDir`, served over the PostgreSQL wire protocol so the rest of the
 * server uses an ordinary `pg.Pool`. PGlite is one connection underneath: callers keep
 * their pool at one connection so transactions never interleave.
 */
export async function startEmbeddedDatabase(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  const address = (
    server as unknown as { server?: { address(): { port: number } | string | null } }
  ).server?.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${actualPort}/postgres?sslmode=disable`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
