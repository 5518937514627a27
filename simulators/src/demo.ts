import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Gridwatch, startGridwatch } from '@gridwatch/server';
import {
  alertText,
  buildDashboard,
  countsText,
  DEFAULT_SEED,
  dashboardBuilt,
  type FleetProcess,
  freePort,
  generateDistrict,
  generateFleet,
  login,
  provision,
  RateMeter,
  type SimDevice,
  StatusLine,
  shanghaiTime,
  spawnFleetProcess,
  untilInterrupted,
} from '@gridwatch/simulators';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A few faults in the first minutes, so whoever opens the wall screen sees the loop at
 * work (a fire risk among them) without waiting for the random ones.
 */
function openingFaults(fleet: FleetProcess, devices: SimDevice[]): void {
  const now = Date.now();
  const s = (seconds: number) => now + seconds * 1000;
  const charger = devices.find((d) => d.id === 'chg-00069');
  const camera = devices.find((d) => d.id === 'cam-00042');
  const roadCamera = devices.find((d) => d.kind === 'camera' && d.attributes.placement === 'road');
  const locker = devices.find((d) => d.kind === 'locker');
  if (roadCamera) fleet.inject(roadCamera.id, 'camera-tamper', { at: s(20), origin: 'opening' });
  if (locker) fleet.inject(locker.id, 'locker-door-left-open', { at: s(35), origin: 'opening' });
  if (charger && camera) {
    fleet.inject(charger.id, 'charger-overheat', { at: s(45), origin: 'fire-risk' });
    fleet.inject(camera.id, 'camera-smoke', { at: s(165), origin: 'fire-risk' });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const env = { ...process.env };
  console.log('gridwatch demo — 莲湖区 simulated district, embedded broker and database');

  const dashboardDir = env.DASHBOARD_DIR ? resolve(env.DASHBOARD_DIR) : `${ROOT}dashboard/dist`;
  if (!dashboardBuilt(dashboardDir)) {
    console.log('building the dashboard once (npm run build -w dashboard)…');
    await buildDashboard();
    console.log(`dashboard built (${elapsed()})`);
  }

  // The fleet runs in its own process: 4,000 connections must not starve the server's event
  // loop. Forked now, so loading it overlaps with the server's start.
  const status = new StatusLine();
  let connectionErrors = 0;
  let reportedAt = 0;
  const fleet = spawnFleetProcess({
    onError: (message) => {
      connectionErrors++;
      // Devices retry by themselves; say so now and then rather than for every socket.
      if (Date.now() - reportedAt > 10_000) {
        reportedAt = Date.now();
        status.log(`fleet: ${message} (${connectionErrors} connection errors so far; devices retry)`);
      }
    },
  });

  env.DATA_DIR ??= resolve(ROOT, '.data/demo');
  if (process.argv.includes('--fresh')) {
    await rm(env.DATA_DIR, { recursive: true, force: true });
    console.log(`starting over: removed ${env.DATA_DIR}`);
  } else if (existsSync(env.DATA_DIR)) {
    // The restored detector state remembers when every device last reported, so devices
    // that were away while the demo was stopped show as offline until they reconnect.
    console.log(`reusing ${env.DATA_DIR} (alerts and history kept; npm run demo -- --fresh starts over)`);
  }
  env.LOG_LEVEL ??= 'warn';
  env.PORT ??= String(await freePort(8080));
  if (!env.MQTT_URL) env.EMBEDDED_MQTT_PORT ??= String(await freePort(1884));
  env.HOST ??= '127.0.0.1';

  let gw: Gridwatch;
  try {
    gw = await startGridwatch({ env });
  } catch (err) {
    throw new Error(`the server did not start: ${(err as Error).message}`);
  }
  console.log(`server up at ${gw.url} (broker ${gw.context.mqtt.url}) after ${elapsed()}`);

  const district = generateDistrict(DEFAULT_SEED);
  const devices = generateFleet(district);
  const adminPassword = env.ADMIN_PASSWORD ?? 'gridwatch-admin';
  const token = await login(gw.url, 'admin', adminPassword);
  const imported = await provision(gw.url, token, district, devices);
  console.log(
    `imported ${imported.regions.regions} regions, ${imported.regions.features} map features and ${imported.devices.imported} devices (${imported.devices.placed} placed) after ${elapsed()}`,
  );

  let alerts = 0;
  gw.app.bus.on('alert', (alert, change) => {
    if (change !== 'new') return;
    alerts++;
    status.log(`${shanghaiTime(Date.parse(alert.firstSeen))}  ${alertText(alert)}`);
  });
  // 120 new connections a second: all 4,000 within about 35 s, gently enough for the
  // in-process broker on a busy machine.
  fleet.start({
    seed: DEFAULT_SEED,
    mqttUrl: gw.context.mqtt.url,
    fleetSecret: gw.context.fleetSecret,
    connectPerSecond: 120,
  });
  openingFaults(fleet, devices);

  const base = gw.url.replace('://127.0.0.1', '://localhost');
  console.log(
    [
      '',
      `ready in ${elapsed()}: ${devices.length} devices connecting (${fleet.counts().connected} so far), faults on`,
      `  wall screen 大屏   ${base}/screen`,
      `  console 值班台     ${base}/console`,
      `  login 登录         admin / ${env.ADMIN_PASSWORD ? '(ADMIN_PASSWORD)' : adminPassword}   (demo officers: docs/demo-users.md)`,
      `  API docs           ${base}/docs`,
      'Ctrl-C stops the fleet and the server.',
      '',
    ].join('\n'),
  );
  fleet.allConnected.then(() => status.log(`all ${devices.length} devices connected after ${elapsed()}`));

  const meter = new RateMeter();
  const ticker = setInterval(() => {
    const c = fleet.counts();
    const rate = meter.add(c.telemetry + c.events);
    status.update(`${countsText(c, rate, fleet.simNow(), 1)} · alerts ${alerts}`);
  }, 1000);

  const why = await untilInterrupted();
  clearInterval(ticker);
  status.end();
  console.log(`${why}: stopping the fleet and the server…`);
  await fleet.stop();
  await gw.close();
  console.log('stopped');
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
