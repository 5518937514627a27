import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { createBenchDatabase } from './database.ts';
import { type BenchDevice, benchFleet, benchRunId } from './fleet.ts';
import { startPrivateBroker } from './private-broker.ts';
import { ensureBrokerAccounts, loginToken, registerDevices, removeBrokerAccounts } from './provision.ts';
import { type ServerChild, startServerChild } from './server-child.ts';
import { type BenchServices, requireServices } from './services.ts';

/** Clean-up steps, run in reverse order once, also on Ctrl-C. */
export class Cleanup {
  private steps: Array<[string, () => Promise<unknown>]> = [];
  private done: Promise<void> | undefined;

  constructor() {
    const onSignal = (signal: string) => {
      console.error(`\n${signal}: cleaning up…`);
      // Children dying of the same signal reject pending waits: let clean-up finish regardless.
      process.on('unhandledRejection', () => {});
      this.run().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  add(name: string, step: () => Promise<unknown>): void {
    this.steps.push([name, step]);
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const [name, step] of this.steps.reverse()) {
        await step().catch((err) => console.error(`clean-up "${name}" failed: ${(err as Error).message}`));
      }
    })();
    return this.done;
  }
}

/** Ends a persistent MQTT session so the broker stops queueing for it. */
export async function endSession(url: string, clientId: string, username?: string, password?: string) {
  const client = await mqtt
    .connectAsync(url, {
      clientId,
      username,
      password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    })
    .catch(() => null);
  await client?.endAsync().catch(() => {});
}

export interface BenchSession {
  services: BenchServices;
  runId: string;
  prefix: string;
  secret: string;
  fleet: BenchDevice[];
  databaseUrl: string;
  serverEnv: Record<string, string>;
  server: ServerChild;
  adminPassword: string;
  adminToken: string | undefined;
  /** How the devices were registered and got broker accounts, for the conditions. */
  provisioning: string;
  /** Which broker: the project's Mosquitto as a private instance, or the shared one. */
  broker: string;
  /** The private broker's process, for its CPU. */
  brokerPid: number | undefined;
  /** The private broker's log lines (none for the shared broker). */
  brokerLog(): Promise<string[]>;
  pool: pg.Pool;
  cleanup: Cleanup;
  restartServer(): Promise<ServerChild>;
}

/**
 * What every bench needs: the real services, a database of its own, the server in a child
 * process, the bench fleet registered and able to log in, and clean-up of all of it
 * (database, MQTT sessions, broker accounts, processes).
 */
export async function openBench(opts: {
  fleetSize: number;
  extraEnv?: Record<string, string>;
  execArgv?: string[];
  /** Devices registered besides the load fleet (e.g. alert probes), with their position. */
  extraDevices?: BenchDevice[];
  /** Runs after the server is up and before devices are registered (e.g. importing regions). */
  beforeDevices?: (url: string, token: string | undefined) => Promise<void>;
  devicePosition?: readonly [number, number];
  /**
   * `private` (default): an instance of the project's Mosquitto of the bench's own;
   * `shared`: the test services' broker (TEST_MQTT_URL).
   */
  broker?: 'private' | 'shared';
}): Promise<BenchSession> {
  const shared = requireServices();
  const cleanup = new Cleanup();
  let services = shared;
  let brokerPid: number | undefined;
  let brokerLog: () => Promise<string[]> = async () => [];
  if (opts.broker !== 'shared') {
    const broker = await startPrivateBroker();
    cleanup.add('stop private broker', () => broker.stop());
    brokerPid = broker.pid;
    brokerLog = broker.log;
    services = {
      ...shared,
      mqttUrl: broker.url,
      serverUsername: broker.serverUsername,
      serverPassword: broker.serverPassword,
      adminUsername: broker.adminUsername,
      adminPassword: broker.adminPassword,
    };
  }
  const runId = benchRunId();
  const prefix = runId;
  const secret = randomBytes(18).toString('base64url');
  const fleet = benchFleet(prefix, opts.fleetSize);
  const adminPassword = randomBytes(12).toString('base64url');
  try {
    const db = await createBenchDatabase(services.databaseUrl);
    cleanup.add('drop database', () => db.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'gw-bench-'));
    cleanup.add('remove data dir', () => rm(dataDir, { recursive: true, force: true }));
    const serverEnv: Record<string, string> = {
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      MQTT_URL: services.mqttUrl,
      MQTT_CLIENT_ID: `gw-bench-ingest-${runId}`,
      DEVICE_SECRET: secret,
      ADMIN_PASSWORD: adminPassword,
      SEED_DEMO_USERS: 'false',
      LOG_LEVEL: 'info',
      ...(services.serverUsername ? { MQTT_USERNAME: services.serverUsername } : {}),
      ...(services.serverPassword ? { MQTT_PASSWORD: services.serverPassword } : {}),
      ...(services.adminUsername ? { MQTT_ADMIN_USERNAME: services.adminUsername } : {}),
      ...(services.adminPassword ? { MQTT_ADMIN_PASSWORD: services.adminPassword } : {}),
      ...opts.extraEnv,
    };
    // The session first, so it is ended after the server has stopped (steps run in reverse).
    cleanup.add('end server MQTT session', () =>
      endSession(
        services.mqttUrl,
        serverEnv.MQTT_CLIENT_ID!,
        services.serverUsername,
        services.serverPassword,
      ),
    );
    // Ingest's second session (events and statuses).
    cleanup.add('end server events MQTT session', () =>
      endSession(
        services.mqttUrl,
        `${serverEnv.MQTT_CLIENT_ID}-events`,
        services.serverUsername,
        services.serverPassword,
      ),
    );
    const allDevices = [...fleet, ...(opts.extraDevices ?? [])];
    const role = `gw-bench-${runId}`;
    cleanup.add('remove broker accounts', () => removeBrokerAccounts(services, allDevices, role));
    const session = {} as BenchSession;
    let server = await startServerChild(serverEnv, { execArgv: opts.execArgv });
    cleanup.add('stop server', () => session.server.stop());
    const adminToken = await loginToken(server.url, 'admin', adminPassword).catch(() => undefined);
    await opts.beforeDevices?.(server.url, adminToken);
    const how = await registerDevices(server.url, adminToken, db.url, fleet, opts.devicePosition);
    if (opts.extraDevices?.length)
      await registerDevices(server.url, adminToken, db.url, opts.extraDevices, opts.devicePosition);
    Object.assign(session, {
      services,
      broker:
        opts.broker === 'shared'
          ? 'shared test broker'
          : 'private instance of deploy/mosquitto/mosquitto.conf',
      brokerPid,
      brokerLog,
      runId,
      prefix,
      secret,
      fleet,
      databaseUrl: db.url,
      serverEnv,
      server,
      adminPassword,
      adminToken,
      cleanup,
      async restartServer() {
        await session.server.stop();
        session.server = await startServerChild(serverEnv, { execArgv: opts.execArgv });
        session.adminToken = await loginToken(session.server.url, 'admin', adminPassword).catch(
          () => undefined,
        );
        return session.server;
      },
    });
    if (how === 'sql') server = await session.restartServer();
    const accounts = await ensureBrokerAccounts(services, allDevices, secret, role);
    session.provisioning = `devices via ${how === 'rest' ? 'REST import' : 'SQL (no import route yet)'}, broker accounts by ${accounts}`;
    session.pool = new pg.Pool({ connectionString: db.url, max: 2 });
    session.pool.on('error', () => {});
    cleanup.add('close pool', () => session.pool.end());
    return session;
  } catch (err) {
    await cleanup.run();
    throw err;
  }
}
