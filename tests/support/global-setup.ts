import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/**
 * Real services for the integration tier where a Docker engine answers and none were given
 * (TEST_DATABASE_URL unset): TimescaleDB (full edition), Mosquitto with the project's
 * configuration, and Redis, started with testcontainers. The TEST_* variables are set in
 * process.env (inherited by the test workers, which start after this) and provided as
 * `inject('gwTestServices')`. Without Docker — as on the project's own machines, where
 * deploy/scripts/ci-services.sh provides the services — this returns at once, silently.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    gwTestServices: Record<string, string>;
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMAGES = {
  timescaledb: 'timescale/timescaledb:2.19.3-pg15',
  mosquitto: 'eclipse-mosquitto:2.0.21',
  redis: 'redis:7-alpine',
};

/** Where the Docker API would be, without loading testcontainers (slow to import). */
function dockerEndpoint(): { socketPath: string } | { host: string; port: number } | null {
  const fromEnv = process.env.DOCKER_HOST;
  if (fromEnv?.startsWith('unix://')) return { socketPath: fromEnv.slice('unix://'.length) };
  if (fromEnv?.startsWith('tcp://')) {
    const url = new URL(fromEnv.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  if (fromEnv) return null;
  return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock' } : null;
}

/** True when the Docker engine answers its ping within a second. */
function dockerAnswers(): Promise<boolean> {
  const endpoint = dockerEndpoint();
  if (!endpoint) return Promise.resolve(false);
  return new Promise((done) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

/** A free TCP port: containers are bound to fixed host ports so a restarted one keeps its address. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<undefined | (() => Promise<void>)> {
  if (process.env.TEST_DATABASE_URL || process.env.TEST_MQTT_URL) return;
  if (!(await dockerAnswers())) return;

  const { GenericContainer, Wait } = await import('testcontainers');
  const secret = () => randomBytes(18).toString('base64url');
  const pgPassword = secret();
  const adminPassword = secret();
  const serverPassword = secret();
  const [pgPort, mqttPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  // The device password file: written by the test servers on this host, re-read by the
  // broker's entrypoint when it changes.
  const accountsDir = await mkdtemp(join(tmpdir(), 'gw-mq-accounts-'));

  const started = await Promise.all([
    new GenericContainer(IMAGES.timescaledb)
      .withEnvironment({ POSTGRES_PASSWORD: pgPassword, TIMESCALEDB_TELEMETRY: 'off' })
      .withExposedPorts({ container: 5432, host: pgPort })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000)
      .start(),
    new GenericContainer(IMAGES.mosquitto)
      .withCopyFilesToContainer([
        {
          source: resolve(ROOT, 'deploy/mosquitto/mosquitto.conf'),
          target: '/mosquitto/config/mosquitto.conf',
        },
        { source: resolve(ROOT, 'deploy/mosquitto/docker-entrypoint.sh'), target: '/gw-entrypoint.sh' },
        { source: resolve(ROOT, 'deploy/mosquitto/acl'), target: '/mosquitto/config/acl' },
      ])
      .withBindMounts([{ source: accountsDir, target: '/mosquitto/accounts', mode: 'rw' }])
      .withEnvironment({ MOSQUITTO_ADMIN_USERNAME: 'gw-admin', MOSQUITTO_ADMIN_PASSWORD: adminPassword })
      .withEntrypoint(['sh', '/gw-entrypoint.sh'])
      .withExposedPorts({ container: 1883, host: mqttPort })
      .withWaitStrategy(Wait.forListeningPorts())
      .start(),
    new GenericContainer(IMAGES.redis)
      .withExposedPorts({ container: 6379, host: redisPort })
      .withWaitStrategy(Wait.forListeningPorts())
      .start(),
  ]);
  const [pg, mosquitto] = started;
  const host = pg.getHost();
  const env: Record<string, string> = {
    TEST_DATABASE_URL: `postgres://postgres:${pgPassword}@${host}:${pgPort}/postgres`,
    TEST_MQTT_URL: `mqtt://${host}:${mqttPort}`,
    // The server creates this account itself with the admin (server/src/identity).
    TEST_MQTT_SERVER_USERNAME: 'gridwatch-server',
    TEST_MQTT_SERVER_PASSWORD: serverPassword,
    TEST_MQTT_ADMIN_USERNAME: 'gw-admin',
    TEST_MQTT_ADMIN_PASSWORD: adminPassword,
    TEST_MQTT_ACCOUNTS_FILE: join(accountsDir, 'device-accounts'),
    TEST_REDIS_URL: `redis://${host}:${redisPort}`,
    TEST_PG_STOP_CMD: `docker stop ${pg.getId()}`,
    TEST_PG_START_CMD: `docker start ${pg.getId()}`,
    TEST_MQTT_STOP_CMD: `docker stop ${mosquitto.getId()}`,
    TEST_MQTT_START_CMD: `docker start ${mosquitto.getId()}`,
  };
  Object.assign(process.env, env);
  project.provide('gwTestServices', env);
  console.log(`[global-setup] real services in containers: ${Object.values(IMAGES).join(', ')}`);

  return async () => {
    await Promise.all(started.map((c) => c.stop({ timeout: 5_000 }).catch(() => {})));
  };
}
