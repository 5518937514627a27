import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { type Gridwatch, startGridwatch } from '../../server/src/main.ts';

/**
 * Test backends. `embedded` (Aedes + PGlite in the server process) is always there;
 * `real` (Mosquitto + PostgreSQL/TimescaleDB) when `.ci/run` or a developer set
 * TEST_DATABASE_URL and TEST_MQTT_URL (see deploy/scripts/ci-services.sh), or when the
 * global setup started containers where Docker exists.
 */
export type BackendName = 'embedded' | 'real';

export function realServices(): null | {
  databaseUrl: string;
  mqttUrl: string;
  mqttServerUsername?: string;
  mqttServerPassword?: string;
  mqttAdminUsername?: string;
  mqttAdminPassword?: string;
  /** The broker's device password file and pid file (deploy/scripts/start-mosquitto.sh). */
  mqttAccountsFile?: string;
  mqttPidFile?: string;
  redisUrl?: string;
} {
  const env = process.env;
  if (!env.TEST_DATABASE_URL || !env.TEST_MQTT_URL) return null;
  return {
    databaseUrl: env.TEST_DATABASE_URL,
    mqttUrl: env.TEST_MQTT_URL,
    mqttServerUsername: env.TEST_MQTT_SERVER_USERNAME,
    mqttServerPassword: env.TEST_MQTT_SERVER_PASSWORD,
    mqttAdminUsername: env.TEST_MQTT_ADMIN_USERNAME,
    mqttAdminPassword: env.TEST_MQTT_ADMIN_PASSWORD,
    mqttAccountsFile: env.TEST_MQTT_ACCOUNTS_FILE,
    mqttPidFile: env.TEST_MQTT_PID_FILE,
    redisUrl: env.TEST_REDIS_URL,
  };
}

export function availableBackends(): BackendName[] {
  return realServices() ? ['embedded', 'real'] : ['embedded'];
}

/** One fleet secret for tests: device passwords are derived from it. */
export const TEST_FLEET_SECRET = 'test-fleet-secret-not-for-production';
export const ADMIN = { username: 'admin', password: 'test-admin-password' };

export interface TestServer {
  backend: BackendName;
  gw: Gridwatch;
  url: string;
  mqttUrl: string;
  databaseUrl: string;
  /** A separate pool on the same database, for assertions. */
  pool: pg.Pool;
  /** Environment the server was started with (to restart it, e.g. in a child process). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A new, empty database on the real server for one test server. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gw_test_${randomBytes(5).toString('hex')}`;
  // A test before this one may have just restarted PostgreSQL (reliability tests do): wait for it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const admin = new pg.Client({ connectionString: adminUrl });
    try {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      break;
    } catch (err) {
      await admin.end().catch(() => {});
      const code = (err as { code?: string }).code;
      const transient = code === 'ECONNREFUSED' || code === '57P03' || code === 'ECONNRESET';
      if (!transient || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

/** Ends a persistent MQTT session so the broker stops queueing for a finished test. */
export async function endMqttSession(
  url: string,
  clientId: string,
  username?: string,
  password?: string,
): Promise<void> {
  const client = await mqtt
    .connectAsync(url, {
      clientId,
      clean: true,
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    })
    .catch(() => null);
  await client?.endAsync().catch(() => {});
}

/**
 * Environment for a server on `backend`, with its own data directory (embedded) or its own
 * database (real) and its own MQTT session id. `extraEnv` overrides anything.
 */
export async function testServerEnv(
  backend: BackendName,
  extraEnv: Record<string, string> = {},
): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-test-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DEVICE_SECRET: TEST_FLEET_SECRET,
    ADMIN_PASSWORD: ADMIN.password,
    MQTT_CLIENT_ID: uniqueId('gw-ingest'),
    EMBEDDED_MQTT_PORT: '0',
    // Tests log in often from one address; the auth test sets its own limit.
    LOGIN_RATE_MAX: '200',
  };
  let dropDatabase = async () => {};
  const real = realServices();
  if (backend === 'real') {
    if (!real) throw new Error('real backend requested but TEST_DATABASE_URL / TEST_MQTT_URL are not set');
    const db = await createTestDatabase(real.databaseUrl);
    dropDatabase = db.drop;
    env.DATABASE_URL = db.url;
    env.MQTT_URL = real.mqttUrl;
    if (real.mqttServerUsername) env.MQTT_USERNAME = real.mqttServerUsername;
    if (real.mqttServerPassword) env.MQTT_PASSWORD = real.mqttServerPassword;
    if (real.mqttAdminUsername) env.MQTT_ADMIN_USERNAME = real.mqttAdminUsername;
    if (real.mqttAdminPassword) env.MQTT_ADMIN_PASSWORD = real.mqttAdminPassword;
    if (real.mqttAccountsFile) env.MQTT_ACCOUNTS_FILE = real.mqttAccountsFile;
    if (real.mqttPidFile) env.MQTT_BROKER_PID_FILE = real.mqttPidFile;
  }
  Object.assign(env, extraEnv);
  return {
    env,
    async cleanup() {
      if (env.MQTT_URL) {
        await endMqttSession(env.MQTT_URL, env.MQTT_CLIENT_ID!, env.MQTT_USERNAME, env.MQTT_PASSWORD);
        // Ingest's second session (events and statuses).
        await endMqttSession(
          env.MQTT_URL,
          `${env.MQTT_CLIENT_ID}-events`,
          env.MQTT_USERNAME,
          env.MQTT_PASSWORD,
        );
      }
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a server in this process on `backend`. */
export async function startTestServer(
  backend: BackendName,
  extraEnv: Record<string, string> = {},
): Promise<TestServer> {
  const { env, cleanup } = await testServerEnv(backend, extraEnv);
  const gw = await startGridwatch({ env });
  const pool = new pg.Pool({
    connectionString: gw.context.databaseUrl,
    max: gw.context.databaseEmbedded ? 1 : 3,
  });
  pool.on('error', () => {});
  return {
    backend,
    gw,
    url: gw.url,
    mqttUrl: gw.context.mqtt.url,
    databaseUrl: gw.context.databaseUrl,
    pool,
    env,
    async close() {
      await pool.end().catch(() => {});
      await gw.close();
      await cleanup();
    },
  };
}
