/**
 * `npx tsx tests/bench/clean-leftovers.ts`: removes what a bench killed mid-run may have
 * left (a bench cleans up after itself, also on Ctrl-C, but not after SIGKILL or a
 * database outage): `gw_bench_*` databases, broker accounts and roles of bench devices
 * (`bn<hex>-…`, `bp<hex>-…`) and the persistent sessions of bench servers on the shared
 * broker, private brokers still running, temp directories.
 * Run it only while no bench is running.
 */
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import { Dynsec } from './lib/dynsec.ts';
import { REPO_ROOT, requireServices } from './lib/services.ts';
import { endSession } from './lib/session.ts';

const services = requireServices();
const admin = new pg.Client({ connectionString: services.databaseUrl });
await admin.connect();
const dbs = await admin.query<{ datname: string }>(
  "SELECT datname FROM pg_database WHERE datname LIKE 'gw\\_bench\\_%'",
);
for (const { datname } of dbs.rows) {
  await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  console.log(`dropped database ${datname}`);
}
await admin.end();

const BENCH_DEVICE = /^(bn[0-9a-f]{6}|bp[0-9a-f]{4})-/;
if (services.adminUsername && services.adminPassword) {
  await cleanBroker(services.adminUsername, services.adminPassword).catch((err) =>
    console.error(`broker ${services.mqttUrl} not cleaned: ${(err as Error).message}`),
  );
}

async function cleanBroker(adminUsername: string, adminPassword: string): Promise<void> {
  const dynsec = new Dynsec(services.mqttUrl, adminUsername, adminPassword);
  await dynsec.start();
  const [clients] = await dynsec.run([{ command: 'listClients', verbose: false, count: -1 }]);
  const [roles] = await dynsec.run([{ command: 'listRoles', verbose: false, count: -1 }]);
  const clientNames = ((clients?.data as { clients?: string[] })?.clients ?? []).filter((c) =>
    BENCH_DEVICE.test(c),
  );
  const roleNames = ((roles?.data as { roles?: string[] })?.roles ?? []).filter(
    (r) => BENCH_DEVICE.test(r.replace(/^gw-device-/, '')) || /^gw-bench-bn[0-9a-f]{6}$/.test(r),
  );
  await dynsec.run(clientNames.map((username) => ({ command: 'deleteClient', username })));
  await dynsec.run(roleNames.map((rolename) => ({ command: 'deleteRole', rolename })));
  await dynsec.stop();
  console.log(`deleted ${clientNames.length} broker accounts and ${roleNames.length} roles`);
  const runs = new Set(clientNames.map((c) => /^(bn[0-9a-f]{6})-/.exec(c)?.[1]).filter(Boolean));
  for (const run of runs) {
    await endSession(
      services.mqttUrl,
      `gw-bench-ingest-${run}`,
      services.serverUsername,
      services.serverPassword,
    );
    console.log(`ended session gw-bench-ingest-${run}`);
  }
}
for (const dir of (await readdir(tmpdir())).filter((d) => d.startsWith('gw-bench-'))) {
  if (dir.startsWith('gw-bench-mq-')) {
    // A private broker a killed bench left running: its own start script stops it by its pid file.
    await promisify(execFile)('bash', [`${REPO_ROOT}deploy/scripts/start-mosquitto.sh`, 'stop'], {
      env: { ...process.env, GW_DATA_DIR: `${tmpdir()}/${dir}` },
    }).catch(() => {});
  }
  await rm(`${tmpdir()}/${dir}`, { recursive: true, force: true });
  console.log(`removed ${tmpdir()}/${dir}`);
}
process.exit(0);
