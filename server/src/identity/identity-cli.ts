import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DeviceKind, isDeviceKind } from '@gridwatch/devices';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../infra/config.ts';
import { loadEntries } from '../registry/repository.ts';
import { type CredentialsFormat, credentialsCsv } from './credentials-csv.ts';
import { refusalReason } from './device-accounts.ts';
import { createIdentity } from './identity.ts';

/**
 * Operator commands for device identities, reading the devices from DATABASE_URL:
 *
 *   tsx server/src/identity/identity-cli.ts provision          # Mosquitto: every device into MQTT_ACCOUNTS_FILE
 *   tsx server/src/identity/identity-cli.ts export [emqx|plain]  # CSV of logins for EMQX's built-in database
 *
 * The fleet secret is DEVICE_SECRET, or the one generated into DATA_DIR.
 */
async function main(argv: string[]): Promise<void> {
  const [command, format = 'emqx'] = argv;
  const config = loadConfig(process.env);
  if (!config.DATABASE_URL)
    throw new Error('DATABASE_URL is not set: the devices are read from the database');
  const fleetSecret =
    config.DEVICE_SECRET ?? readFileSync(join(resolve(config.DATA_DIR), 'fleet-secret'), 'utf8').trim();
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1 });
  try {
    const devices = (await loadEntries(pool))
      .filter((r) => isDeviceKind(r.kind))
      .map((r) => ({ id: r.id, kind: r.kind as DeviceKind }));
    if (command === 'export') {
      if (format !== 'emqx' && format !== 'plain')
        throw new Error(`unknown format "${format}" (emqx or plain)`);
      process.stdout.write(
        credentialsCsv(
          devices.filter((d) => refusalReason(d) === null).map((d) => d.id),
          fleetSecret,
          format as CredentialsFormat,
        ),
      );
      return;
    }
    if (command === 'provision') {
      if (!config.MQTT_URL || !config.MQTT_ACCOUNTS_FILE) {
        throw new Error("provision needs MQTT_URL and MQTT_ACCOUNTS_FILE (Mosquitto's device password file)");
      }
      const identity = createIdentity({
        fleetSecret,
        log: pino({ level: 'info' }),
        accounts: {
          kind: 'file',
          url: config.MQTT_URL,
          file: config.MQTT_ACCOUNTS_FILE,
          pidFile: config.MQTT_BROKER_PID_FILE,
          readyTimeoutMs: config.MQTT_ACCOUNTS_READY_TIMEOUT_S * 1000,
        },
        dynsec: null,
      });
      const result = await identity.provision(devices);
      console.log(
        JSON.stringify({
          devices: devices.length,
          ready: result.ready.length,
          failed: result.failed.slice(0, 50),
        }),
      );
      if (result.failed.length > 0) process.exitCode = 1;
      return;
    }
    throw new Error('usage: identity-cli.ts provision | export [emqx|plain]');
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
