import { chmod, mkdir, stat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

/** The socket's file name `pg` looks for in a socket directory (its default port, 5432). */
const SOCKET_FILE = '.s.PGSQL.5432';
/** Linux keeps at most 107 bytes of a Unix socket's path. */
const MAX_SOCKET_PATH = 107;

/** Where the embedded database keeps its files and its socket inside the data directory. */
export function embeddedDatabasePaths(dataDir: string) {
  const root = resolve(dataDir);
  const socketDir = join(root, 'pglite-socket');
  return { root, files: join(root, 'pglite'), socketDir, socket: join(socketDir, SOCKET_FILE) };
}

/**
 * The `pg` connection string of the embedded database kept in `dataDir`: its Unix socket.
 * PGlite accepts any user and password, so the socket's directory permissions are the lock.
 */
export function embeddedDatabaseUrl(dataDir: string): string {
  return `postgres://postgres@${encodeURIComponent(embeddedDatabasePaths(dataDir).socketDir)}/postgres`;
}

/** Creates `dir` (and parents) or narrows it to its owner: 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (((await stat(dir)).mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/** A socket file left by a server that was killed is removed; one that answers is in use. */
async function clearStaleSocket(path: string): Promise<void> {
  const answers = await new Promise<boolean>((done) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      done(true);
    });
    probe.once('error', () => done(false));
  });
  if (answers) {
    throw new Error(`embedded database: ${path} answers, another server is using this DATA_DIR`);
  }
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * PGlite kept in `<dataDir>/pglite`, served over the PostgreSQL wire protocol so the rest of
 * the server uses an ordinary `pg.Pool`. PGlite checks no password (any user, any password
 * is let in) and nothing outside this process needs the database, so it listens on no TCP
 * port: only on a Unix socket in `<dataDir>/pglite-socket`, a directory only the server's
 * user may enter (the data directory itself is narrowed to 0700 too, as it holds the
 * database files and the fleet secret). PGlite is one connection underneath: callers keep
 * their pool at one connection so transactions never interleave.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const paths = embeddedDatabasePaths(dataDir);
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
    throw new Error(
      `embedded database: the socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter DATA_DIR`,
    );
  }
  await ensurePrivateDir(paths.root);
  await ensurePrivateDir(paths.socketDir);
  await clearStaleSocket(paths.socket);
  const db = await PGlite.create(paths.files);
  const server = new PGLiteSocketServer({ db, path: paths.socket, maxConnections: 16 });
  try {
    await server.start();
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return {
    url: embeddedDatabaseUrl(dataDir),
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
