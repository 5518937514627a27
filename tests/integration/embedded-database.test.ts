import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabasePaths } from '../../server/src/infra/embedded/database.ts';
import { testServerEnv, uniqueId } from '../support/backends.ts';
import { type ServerProcess, serverProcess } from '../support/server-process.ts';
import { importDevices, type TestDevice } from './ingest-fixtures.ts';

/** TCP ports a process listens on, from Linux's /proc (its socket inodes in the LISTEN state). */
async function listeningTcpPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]!);
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] (ADDR:PORT in hex), st is cols[3] (0A = LISTEN), inode cols[9].
      if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.add(Number.parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The embedded database (PGlite behind pglite-socket) takes any user and any password, so
 * it must not be reachable by anyone else on the host: it listens on no TCP port, only on a
 * Unix socket inside a data directory that only the server's user may enter.
 */
describe('embedded database access', () => {
  let parent: string;
  let dataDir: string;
  let proc: ServerProcess;
  let cleanup: () => Promise<void>;
  const device: TestDevice = { id: uniqueId('cam'), kind: 'camera' };

  beforeAll(async () => {
    // The data directory sits in a directory anyone may enter, so only its own mode keeps others out.
    parent = await mkdtemp(join(tmpdir(), 'gw-dbaccess-'));
    await chmod(parent, 0o755);
    dataDir = join(parent, 'data');
    const made = await testServerEnv('embedded', { DATA_DIR: dataDir });
    cleanup = made.cleanup;
    proc = await serverProcess(made.env);
    await proc.start();
    await importDevices(proc.url, [device]);
  });
  afterAll(async () => {
    await proc?.kill();
    await cleanup?.();
    await rm(parent, { recursive: true, force: true });
  });

  const devicesKept = async () => {
    const pool = new pg.Pool({ connectionString: proc.databaseUrl, max: 1 });
    try {
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM devices WHERE id = $1', [device.id]);
      return rows.map((r) => r.id);
    } finally {
      await pool.end();
    }
  };

  it('listens on TCP only for HTTP and MQTT: the database has no port to try the old password on', async () => {
    const ports = await listeningTcpPorts(proc.pid!);
    expect(ports).toEqual([Number(proc.env.PORT), Number(proc.env.EMBEDDED_MQTT_PORT)].sort((a, b) => a - b));
    // The server and the tests reach it through its socket.
    expect(proc.databaseUrl).toContain(encodeURIComponent(embeddedDatabasePaths(dataDir).socketDir));
    expect(await devicesKept()).toEqual([device.id]);
  });

  it('keeps the data directory and the socket directory to the server user (0700)', async () => {
    const paths = embeddedDatabasePaths(dataDir);
    expect((await stat(paths.root)).mode & 0o777).toBe(0o700);
    expect((await stat(paths.socketDir)).mode & 0o777).toBe(0o700);
    expect((await stat(paths.socket)).isSocket()).toBe(true);
  });

  // Only root can act as another user here; elsewhere the mode check above stands for it.
  it.skipIf(process.getuid?.() !== 0)('refuses another user on the host (nobody) at the socket', () => {
    const { socket } = embeddedDatabasePaths(dataDir);
    const script = `require('net').connect(${JSON.stringify(socket)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
    const run = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('EACCES');
  });

  it('a second server on the same data directory is refused while the first runs', async () => {
    const second = await serverProcess({ ...proc.env, MQTT_CLIENT_ID: uniqueId('gw-ingest') });
    await expect(second.start()).rejects.toThrow(/another server is using this DATA_DIR/);
    await second.kill();
    expect(await devicesKept()).toEqual([device.id]);
  });

  it('restarts on the same data directory, after a graceful stop and after SIGKILL (stale socket)', async () => {
    expect(await proc.stop()).toBe(0);
    await proc.start();
    expect(await devicesKept()).toEqual([device.id]);
    await proc.kill();
    await proc.start();
    expect(await devicesKept()).toEqual([device.id]);
    expect((await fetch(`${proc.url}/readyz`)).status).toBe(200);
  });
});
