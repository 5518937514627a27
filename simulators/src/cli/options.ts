import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt from 'mqtt';
import type { SimDevice } from '../fleet/types.ts';

/** An error the CLI reports as one line, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The fleet secret: --secret, then DEVICE_SECRET, then the server's generated file in its data directory. */
export function fleetSecret(opts: { secret?: string; dataDir?: string }): string {
  if (opts.secret) return opts.secret;
  if (process.env.DEVICE_SECRET) return process.env.DEVICE_SECRET;
  const file = join(opts.dataDir ?? process.env.DATA_DIR ?? '.data/gridwatch', 'fleet-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new CliError(
      `no fleet secret: pass --secret, set DEVICE_SECRET, or point --data-dir at the server's data directory (looked for ${file})`,
    );
  }
}

/** One trial connection with a device's credentials, so a wrong URL or secret fails fast and clearly. */
export async function checkBroker(url: string, device: SimDevice, secret: string): Promise<void> {
  try {
    const client = await mqtt.connectAsync(url, {
      clientId: `sim-check-${process.pid}`,
      username: device.id,
      password: devicePassword(secret, device.id),
      reconnectPeriod: 0,
      connectTimeout: 8000,
    });
    await client.endAsync();
  } catch (err) {
    const message = (err as Error).message;
    if (/not authori[sz]ed|bad user name|bad username/i.test(message))
      throw new CliError(
        `the broker at ${url} refused device ${device.id}: ${message}. Is the fleet secret the server's (--secret / DEVICE_SECRET), and are the devices imported (--server)?`,
      );
    throw new CliError(`cannot connect to the broker at ${url}: ${message}`);
  }
}

/** Parses a positive number option, with a message naming it. */
export function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`--${name} must be a positive number, got "${value}"`, 2);
  return n;
}
