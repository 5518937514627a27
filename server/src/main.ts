import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from './app.ts';
import { type Config, loadConfig } from './infra/config.ts';
import type { GridwatchContext } from './infra/context.ts';
import {
  type EmbeddedBroker,
  SERVER_MQTT_USERNAME,
  serverMqttPassword,
  startEmbeddedBroker,
} from './infra/embedded/broker.ts';
import { type EmbeddedDatabase, ensurePrivateDir, startEmbeddedDatabase } from './infra/embedded/database.ts';

export interface Gridwatch {
  app: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  context: GridwatchContext;
  close(): Promise<void>;
}

/** The fleet secret from `DEVICE_SECRET`, or one generated once into the data directory. */
async function fleetSecretFor(config: Config): Promise<string> {
  if (config.DEVICE_SECRET) return config.DEVICE_SECRET;
  const file = join(resolve(config.DATA_DIR), 'fleet-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(24).toString('base64url');
    await ensurePrivateDir(resolve(config.DATA_DIR));
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

/**
 * Starts gridwatch: embedded broker and database where no `MQTT_URL` / `DATABASE_URL` is
 * given, then the app, then listens. `close()` stops intake first, lets batches commit,
 * then closes the rest, so a graceful shutdown loses nothing.
 */
export async function startGridwatch(
  options: { env?: Record<string, string | undefined> } = {},
): Promise<Gridwatch> {
  const config = loadConfig(options.env ?? process.env);
  const log = pino({ level: config.LOG_LEVEL });
  const fleetSecret = await fleetSecretFor(config);

  let database: EmbeddedDatabase | undefined;
  let broker: EmbeddedBroker | undefined;
  try {
    if (!config.DATABASE_URL) {
      database = await startEmbeddedDatabase(config.DATA_DIR);
      log.info({ url: database.url }, 'embedded database (PGlite) started');
    }
    if (!config.MQTT_URL) {
      broker = await startEmbeddedBroker({
        port: config.EMBEDDED_MQTT_PORT,
        fleetSecret,
        log: log.child({ domain: 'broker' }),
      });
      log.info({ url: broker.url }, 'embedded broker (Aedes) started');
    }
    const context: GridwatchContext = {
      config,
      databaseUrl: config.DATABASE_URL ?? database!.url,
      databaseEmbedded: !config.DATABASE_URL,
      mqtt: broker
        ? {
            url: broker.url,
            username: SERVER_MQTT_USERNAME,
            password: serverMqttPassword(fleetSecret),
            embedded: true,
          }
        : {
            url: config.MQTT_URL!,
            username: config.MQTT_USERNAME,
            password: config.MQTT_PASSWORD,
            embedded: false,
          },
      fleetSecret,
    };
    const app = await buildApp(context);
    const address = await app.listen({ host: config.HOST, port: config.PORT });
    let closing: Promise<void> | undefined;
    return {
      app,
      url: address.replace('[::1]', '127.0.0.1'),
      context,
      close() {
        closing ??= (async () => {
          // Devices first: nothing new reaches the embedded broker while ingest drains; what
          // the devices did not see acknowledged they send again after the restart.
          await broker?.disconnectDevices();
          await app.close();
          await broker?.close();
          await database?.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await broker?.close().catch(() => {});
    await database?.close().catch(() => {});
    throw err;
  }
}

const isEntry = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isEntry) {
  startGridwatch()
    .then((gw) => {
      gw.app.log.info({ url: gw.url }, 'gridwatch listening');
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        gw.app.log.info({ signal }, 'shutting down');
        gw.close()
          .then(() => process.exit(0))
          .catch((err) => {
            gw.app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
