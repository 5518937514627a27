import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Dynsec } from './dynsec.ts';
import { REPO_ROOT } from './services.ts';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface PrivateBroker {
  url: string;
  pid: number;
  adminUsername: string;
  adminPassword: string;
  serverUsername: string;
  serverPassword: string;
  /** Its data directory: `mosquitto/` holds the device password file and the pid file. */
  dataDir: string;
  /** The broker's log so far (warnings such as "Outgoing messages are being dropped"). */
  log(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The project's Mosquitto (deploy/mosquitto/mosquitto.conf through the project's own
 * start script, dynamic security included), as a private instance on a free port with a
 * data directory of its own. The shared test broker holds persistent sessions that test
 * runs abandon, each queueing every device message: a bench's millions of messages would
 * fill them (and its figures would include that work), so benches use their own instance.
 */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-bench-mq-'));
  const port = await freePort();
  const env = { ...process.env, GW_MOSQUITTO_PORT: String(port), GW_DATA_DIR: dataDir };
  const script = `${REPO_ROOT}deploy/scripts/start-mosquitto.sh`;
  let pid = 0;
  const alive = () => pid > 0 && existsSync(`/proc/${pid}`);
  const stop = async () => {
    await run('bash', [script, 'stop'], { env, timeout: 30_000 }).catch(() => {});
    // Make sure our broker is gone even if the script could not stop it (seen once under heavy load).
    for (let i = 0; alive() && i < 50; i++) {
      if (i === 0) process.kill(pid, 'SIGTERM');
      if (i === 40) process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 250));
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await run('bash', [script, 'start'], { env });
    const dir = join(dataDir, 'mosquitto');
    const adminPassword = (await readFile(join(dir, 'admin-password'), 'utf8')).trim();
    pid = Number((await readFile(join(dir, 'mosquitto.pid'), 'utf8')).trim());
    const url = `mqtt://127.0.0.1:${port}`;
    const serverUsername = 'gridwatch-server';
    const serverPassword = randomBytes(18).toString('base64url');
    const admin = new Dynsec(url, 'gw-admin', adminPassword);
    await admin.start();
    try {
      // The same account ci-services.sh makes for the server.
      const allow = (acltype: string, topic: string) => ({ acltype, topic, priority: 0, allow: true });
      const res = await admin.run([
        {
          command: 'createRole',
          rolename: serverUsername,
          acls: [
            allow('subscribePattern', 'gw/#'),
            allow('subscribePattern', '$share/#'),
            allow('subscribePattern', '$SYS/#'),
            allow('publishClientSend', 'gw/#'),
            allow('publishClientReceive', 'gw/#'),
            allow('publishClientReceive', '$SYS/#'),
          ],
        },
        {
          command: 'createClient',
          username: serverUsername,
          password: serverPassword,
          roles: [{ rolename: serverUsername }],
        },
      ]);
      const failed = res.find((r) => r.error);
      if (failed) throw new Error(`private broker: ${failed.command}: ${failed.error}`);
    } finally {
      await admin.stop();
    }
    const log = async () =>
      (await readFile(join(dir, 'mosquitto.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    return {
      url,
      pid,
      adminUsername: 'gw-admin',
      adminPassword,
      serverUsername,
      serverPassword,
      dataDir,
      log,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
