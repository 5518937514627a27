import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt from 'mqtt';
import pg from 'pg';
import { apiRequest } from '../../support/clients.ts';
import { benchRoleCommands, Dynsec } from './dynsec.ts';
import type { BenchDevice } from './fleet.ts';
import type { BenchServices } from './services.ts';

/** Where bench devices stand when no region of the bench holds them (central Lianhu district). */
export const DEFAULT_POSITION: readonly [number, number] = [108.94, 34.27];

export async function loginToken(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** The tests' JSON request helper, under the name the benches use. */
export const apiCall = apiRequest;

export type ProvisionPath = 'rest' | 'sql';

/**
 * Registers the bench devices the way an operator would: the REST import (which also
 * provisions their broker accounts through the identity domain). While that route is
 * missing, inserts them with SQL, and the caller restarts the server so ingest's device
 * cache sees them.
 */
export async function registerDevices(
  baseUrl: string,
  adminToken: string | undefined,
  databaseUrl: string,
  devices: BenchDevice[],
  position: readonly [number, number] = DEFAULT_POSITION,
): Promise<ProvisionPath> {
  if (adminToken) {
    const csv = ['id,kind,name,lon,lat,site']
      .concat(devices.map((d) => `${d.id},${d.kind},${d.id},${position[0]},${position[1]},`))
      .join('\n');
    const res = await apiCall<{ imported?: number } | null>(
      baseUrl,
      adminToken,
      'POST',
      '/api/devices/import',
      csv,
      'text/csv',
    );
    if (res.status === 200 || res.status === 201) {
      const imported = Number(res.body?.imported ?? 0);
      if (imported < devices.length)
        throw new Error(
          `device import stored ${imported} of ${devices.length}: ${JSON.stringify(res.body).slice(0, 500)}`,
        );
      return 'rest';
    }
    if (res.status !== 404)
      throw new Error(`device import: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await pool.query(
      `INSERT INTO devices (id, kind, name, lon, lat)
       SELECT id, kind, id, $3, $4 FROM unnest($1::text[], $2::text[]) AS t(id, kind)
       ON CONFLICT (id) DO NOTHING`,
      [devices.map((d) => d.id), devices.map((d) => d.kind), position[0], position[1]],
    );
  } finally {
    await pool.end();
  }
  return 'sql';
}

async function canLogin(mqttUrl: string, id: string, secret: string): Promise<boolean> {
  const client = await mqtt
    .connectAsync(mqttUrl, {
      clientId: `${id}-check`,
      username: id,
      password: devicePassword(secret, id),
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    })
    .catch(() => null);
  await client?.endAsync().catch(() => {});
  return client !== null;
}

/**
 * Broker accounts for the bench devices. Waits up to `waitS` for the server's identity
 * domain to have provisioned them (it does so in the background for large imports); if the
 * last device still cannot log in and the dynsec admin is known, provisions them itself
 * with a bench role. Returns how the accounts came to be, for the conditions.
 */
export async function ensureBrokerAccounts(
  services: BenchServices,
  devices: BenchDevice[],
  secret: string,
  role: string,
  waitS = 60,
): Promise<'server' | 'bench' | 'none-needed'> {
  const last = devices.at(-1)!;
  const deadline = Date.now() + waitS * 1000;
  while (Date.now() < deadline) {
    if (await canLogin(services.mqttUrl, last.id, secret))
      return services.adminUsername ? 'server' : 'none-needed';
    if (!services.adminUsername) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (!services.adminUsername || !services.adminPassword)
    throw new Error(
      `device ${last.id} cannot log in to ${services.mqttUrl} and no dynsec admin is configured`,
    );
  const admin = new Dynsec(services.mqttUrl, services.adminUsername, services.adminPassword);
  await admin.start();
  try {
    await admin.run(benchRoleCommands(role));
    const res = await admin.run(
      devices.map((d) => ({
        command: 'createClient',
        username: d.id,
        password: devicePassword(secret, d.id),
        roles: [{ rolename: role }],
      })),
    );
    const failed = res.filter((r) => r.error && !/exists/i.test(r.error));
    if (failed.length) throw new Error(`dynsec createClient: ${failed[0]!.error} (${failed.length} failed)`);
  } finally {
    await admin.stop();
  }
  return 'bench';
}

/** Deletes the bench devices' broker accounts and roles (whoever created them). */
export async function removeBrokerAccounts(
  services: BenchServices,
  devices: BenchDevice[],
  role: string,
): Promise<void> {
  if (!services.adminUsername || !services.adminPassword) return;
  const admin = new Dynsec(services.mqttUrl, services.adminUsername, services.adminPassword);
  try {
    await admin.start();
    await admin.run(devices.map((d) => ({ command: 'deleteClient', username: d.id })));
    // The identity domain gives each device a role of its own (`gw-device-<id>`); the bench's fallback one shared role.
    await admin.run(devices.map((d) => ({ command: 'deleteRole', rolename: `gw-device-${d.id}` })));
    await admin.run([{ command: 'deleteRole', rolename: role }]);
  } catch (err) {
    console.error(`warning: could not remove bench broker accounts: ${(err as Error).message}`);
  } finally {
    await admin.stop();
  }
}
