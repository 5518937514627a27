import { parseArgs } from 'node:util';
import { DEFAULT_SEED, generateDistrict } from '../district/generate.ts';
import { generateFleet } from '../fleet/generate.ts';
import { acceleratedStart, createClock } from '../runner/clock.ts';
import { startFleet } from '../runner/fleet-runner.ts';
import { login, provision } from '../server-api.ts';
import { CliError, checkBroker, fleetSecret, positive } from './options.ts';
import { countsText, RateMeter, StatusLine, shanghaiTime, untilInterrupted } from './terminal.ts';

export const RUN_USAGE = `npm run sim -- run [options]
  --url URL            broker (default mqtt://127.0.0.1:1884, the embedded broker's default port)
  --server URL         gridwatch server: import the district and the devices first (REST, as --user)
  --user NAME          (default admin)   --password PW  (default ADMIN_PASSWORD or gridwatch-admin)
  --secret S           fleet secret (default DEVICE_SECRET or <--data-dir>/fleet-secret)
  --data-dir DIR       the server's data directory (default DATA_DIR or .data/gridwatch)
  --scale N            1 = one district (~4,000 devices), 10 = a city (default 1)
  --speed N            simulated seconds per second (default 1)
  --duration S         stop after S real seconds (default: until Ctrl-C; with --speed > 1: 600)
  --no-faults          no random faults
  --seed N             district and fleet seed (default ${DEFAULT_SEED})
  --gateway            few shared connections instead of one per device (for --scale 10 when
                       sockets or file descriptors run out); needs --gateway-user/--gateway-password,
                       an account that may publish on gw/#  (--connections N, default 4)
  --connect-rate N     new device connections per second (default 250)`;

export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'mqtt://127.0.0.1:1884' },
      server: { type: 'string' },
      user: { type: 'string', default: 'admin' },
      password: { type: 'string' },
      secret: { type: 'string' },
      'data-dir': { type: 'string' },
      scale: { type: 'string' },
      speed: { type: 'string' },
      duration: { type: 'string' },
      'no-faults': { type: 'boolean', default: false },
      seed: { type: 'string' },
      gateway: { type: 'boolean', default: false },
      'gateway-user': { type: 'string' },
      'gateway-password': { type: 'string' },
      connections: { type: 'string' },
      'connect-rate': { type: 'string' },
    },
  });
  const scale = Math.round(positive('scale', values.scale, 1));
  const speed = positive('speed', values.speed, 1);
  const durationS = values.duration ? positive('duration', values.duration, 0) : speed > 1 ? 600 : undefined;
  const seed = Math.round(positive('seed', values.seed, DEFAULT_SEED));
  if (values.gateway && (!values['gateway-user'] || !values['gateway-password']))
    throw new CliError(
      '--gateway needs --gateway-user and --gateway-password (an account that may publish on gw/#)',
      2,
    );

  const district = generateDistrict(seed);
  const devices = generateFleet(district, { scale, seed });
  console.log(
    `district ${district.district.name}: ${district.grids.length} grids; fleet ×${scale}: ${devices.length} devices`,
  );

  if (values.server) {
    const password = values.password ?? process.env.ADMIN_PASSWORD ?? 'gridwatch-admin';
    const token = await login(values.server, values.user, password);
    const t = Date.now();
    const r = await provision(values.server, token, district, devices);
    console.log(
      `imported ${r.regions.regions} regions, ${r.regions.features} map features, ${r.devices.imported} devices (${r.devices.placed} in a grid) in ${Date.now() - t} ms`,
    );
    if (r.devices.errors.length)
      console.warn(
        `${r.devices.errors.length} device rows refused, e.g. ${JSON.stringify(r.devices.errors[0])}`,
      );
  }

  const secret = values.gateway ? '' : fleetSecret({ secret: values.secret, dataDir: values['data-dir'] });
  if (!values.gateway) await checkBroker(values.url, devices[0]!, secret);
  if (!values.gateway && devices.length > 15_000)
    console.warn(
      `${devices.length} connections need as many file descriptors here and on the broker (ulimit -n is often 1024–20000); use --gateway if connections fail`,
    );

  const clock = createClock({
    speed,
    startAt: durationS ? acceleratedStart(Date.now(), durationS * speed, speed) : undefined,
  });
  const status = new StatusLine();
  const fleet = startFleet({
    devices,
    mqttUrl: values.url,
    fleetSecret: secret,
    seed,
    clock,
    faults: !values['no-faults'],
    mode: values.gateway ? 'gateway' : 'device',
    gateway: values.gateway
      ? {
          username: values['gateway-user']!,
          password: values['gateway-password']!,
          connections: Math.round(positive('connections', values.connections, 4)),
        }
      : undefined,
    connectPerSecond: positive('connect-rate', values['connect-rate'], 250),
    onFault: (f) =>
      f.started &&
      status.log(
        `${shanghaiTime(f.at)}  fault ${f.faultId} on ${f.deviceId}${f.origin !== f.faultId ? ` (${f.origin})` : ''}`,
      ),
  });
  const meter = new RateMeter();
  const ticker = setInterval(() => {
    const c = fleet.counts();
    const rate = meter.add(c.telemetry + c.events);
    status.update(countsText(c, rate, clock.now(), speed));
  }, 1000);
  fleet.allConnected.then(() => status.log(`all ${devices.length} devices connected`));
  const why = await untilInterrupted(durationS ? durationS * 1000 : undefined);
  clearInterval(ticker);
  status.end();
  console.log(`${why}: disconnecting ${devices.length} devices…`);
  await fleet.stop();
  const c = fleet.counts();
  console.log(
    `published ${c.telemetry} telemetry and ${c.events} events (${c.acked} acknowledged, ${c.errors} failed of which ${c.refused} refused by the broker, ${c.skipped} skipped); ${c.faults} faults; ${c.mqtt311 ? `${c.mqtt311} connections on MQTT 3.1.1 (the broker does not speak 5)` : 'MQTT 5'}`,
  );
}
