/**
 * How long after an import a device can connect: the identity domain's provisioning (what
 * the import's background job runs) against a private copy of the project's Mosquitto, timed
 * from the start of provisioning to the broker accepting the LAST device's login.
 *
 *   npm run bench:provision [-- --devices 4000,40000 --before 4000 --before-cap-s 180]
 *
 * `after`: device accounts in the broker's password file (MQTT_ACCOUNTS_FILE), SIGHUP.
 * `before`: the same devices through dynamic security, as the server did before (an account
 * and a role per device, 100 commands a message); capped at --before-cap-s.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { devicePassword } from '@gridwatch/devices/credentials';
import pino from 'pino';
import { type AccountStore, createIdentity } from '../../server/src/identity/identity.ts';
import { probeLogin } from '../../server/src/identity/login-probe.ts';
import { parseArgs } from './lib/args.ts';
import { startPrivateBroker } from './lib/private-broker.ts';

const SECRET = 'bench-provision-fleet-secret';
const args = parseArgs(process.argv.slice(2));
const list = (name: string, def: string) =>
  (args.get(name) ?? def)
    .split(',')
    .filter(Boolean)
    .map((n) => Number(n));
const sizes = list('devices', '4000,40000');
const beforeSizes = list('before', '4000');
const capS = Number(args.get('before-cap-s') ?? 180);

async function measure(kind: 'file' | 'dynsec', n: number): Promise<string> {
  const broker = await startPrivateBroker();
  try {
    const dir = join(broker.dataDir, 'mosquitto');
    const accounts: AccountStore =
      kind === 'file'
        ? {
            kind: 'file',
            url: broker.url,
            file: join(dir, 'device-accounts'),
            pidFile: join(dir, 'mosquitto.pid'),
            readyTimeoutMs: 120_000,
          }
        : { kind: 'dynsec', url: broker.url, username: broker.adminUsername, password: broker.adminPassword };
    const identity = createIdentity({
      fleetSecret: SECRET,
      log: pino({ level: 'silent' }),
      accounts,
      dynsec: null,
    });
    const devices = Array.from({ length: n }, (_, i) => ({
      id: `bp-${String(i).padStart(6, '0')}`,
      kind: (['camera', 'charger', 'locker'] as const)[i % 3]!,
    }));
    const last = devices.at(-1)!.id;
    const started = performance.now();
    const provisioning = identity.provision(devices);
    // Independently of what provisioning says: when does the broker accept the last device?
    const deadline = started + capS * 1000;
    let acceptedAt = 0;
    while (performance.now() < deadline) {
      if (await probeLogin(broker.url, last, devicePassword(SECRET, last))) {
        acceptedAt = performance.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!acceptedAt) {
      // The broker is still working through it: stop it rather than wait.
      return `${kind.padEnd(6)} ${String(n).padStart(6)} devices: last device NOT accepted after ${capS} s (capped)`;
    }
    const result = await provisioning;
    const doneAt = performance.now();
    return `${kind.padEnd(6)} ${String(n).padStart(6)} devices: last device accepted after ${((acceptedAt - started) / 1000).toFixed(2)} s; provisioning answered ready=${result.ready.length} failed=${result.failed.length} after ${((doneAt - started) / 1000).toFixed(2)} s`;
  } finally {
    await broker.stop();
  }
}

const lines: string[] = [];
console.log(
  `conditions: Mosquitto ${process.env.GW_MOSQUITTO_VERSION ?? '(Debian package)'} private instance (deploy/mosquitto/mosquitto.conf via start-mosquitto.sh), ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at start, node ${process.version}`,
);
for (const n of sizes) {
  const line = await measure('file', n);
  console.log(`after  ${line}`);
  lines.push(line);
}
for (const n of beforeSizes) {
  const line = await measure('dynsec', n);
  console.log(`before ${line}`);
}
console.log(
  `load at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
