/**
 * Wall-screen benchmark: the real wall (/screen) in headless Chromium against a server
 * holding ~10,000 devices while alerts arrive at a steady rate (default 50 new alerts/s,
 * plus as many resolutions so the open set stays bounded). Measures the frame rate
 * (requestAnimationFrame counted over 10 s windows) and the JS heap after forced GC (CDP
 * HeapProfiler.collectGarbage) once a minute.
 *
 *   npm run bench:screen -- [--minutes 10] [--devices 10000] [--rate 50]
 *
 * Targets: >= 30 fps; <= 10 % heap growth between the end of warm-up and the end.
 * Alerts are applied through the server's own alert service (the path detection uses), so
 * the figures are about the wall, not about MQTT ingest.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { DeviceKind, Severity } from '@gridwatch/devices';
import { CATALOGUE } from '@gridwatch/devices';
import { districtGeoJson, fleetGeoJson, generateDistrict, generateFleet } from '@gridwatch/simulators';
import pg from 'pg';
import type { Finding } from '../../server/src/detection/core/types.ts';
import { startGridwatch } from '../../server/src/main.ts';
import { CHROMIUM, CHROMIUM_ARGS, launchBrowser } from '../e2e/support/browser.ts';
import { ensureDashboardBuilt } from '../e2e/support/build-dashboard.ts';
import { DEMO_PASSWORD, signIn } from '../e2e/support/pages.ts';
import { testServerEnv } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    devices: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '50' },
  },
});
const minutes = Number(values.minutes);
const targetDevices = Number(values.devices);
const rate = Number(values.rate);
// Warm-up: until the open-alert set is steady (alerts stay open for OPEN_S, then get resolved).
const OPEN_S = 60;
const warmupS = Math.min(2 * OPEN_S, Math.max(10, minutes * 12));

const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a);

ensureDashboardBuilt();
const { env, cleanup } = await testServerEnv('embedded', { SEED_DEMO_USERS: 'true', LOG_LEVEL: 'error' });
const gw = await startGridwatch({ env });
const admin = api(gw.url, await login(gw.url));
const district = generateDistrict();
const perDistrict = generateFleet(district).length;
const fleet = generateFleet(district, { scale: targetDevices / perDistrict }).slice(0, targetDevices);
await admin.post('/api/regions/import', districtGeoJson(district));
const imported = await admin.post('/api/devices/import', fleetGeoJson(fleet));
if (imported.status !== 200) throw new Error(`device import failed: ${imported.status}`);
// Most devices online, as on a normal day (set directly: the bench is about the wall, not MQTT).
const pool = new pg.Pool({ connectionString: gw.context.databaseUrl, max: 1 });
await pool.query(`UPDATE devices SET online = (hashtext(id) % 20) <> 0, last_seen = now()`);
log(`server ${gw.url}: ${fleet.length} devices imported`);

// Alert load: `rate` raises per second on rotating devices, and resolutions of the oldest.
const causes: Record<DeviceKind, Array<{ cause: string; severity: Severity }>> = {
  camera: CATALOGUE.camera.rules.map((r) => ({ cause: r.id, severity: r.severity })),
  charger: CATALOGUE.charger.rules.map((r) => ({ cause: r.id, severity: r.severity })),
  locker: CATALOGUE.locker.rules.map((r) => ({ cause: r.id, severity: r.severity })),
};
const commander = {
  username: 'admin',
  displayName: 'bench',
  role: 'commander' as const,
  roles: ['commander' as const],
  regionId: district.district.id,
  unitId: null,
};
let raised = 0;
let resolved = 0;
let cursor = 0;
let stopLoad = false;
const loadLoop = (async () => {
  const tickMs = 200;
  const perTick = Math.round((rate * tickMs) / 1000);
  let next = Date.now();
  while (!stopLoad && perTick > 0) {
    const findings: Finding[] = [];
    for (let i = 0; i < perTick; i++) {
      const d = fleet[(cursor * 7919) % fleet.length]!;
      const list = causes[d.kind];
      const c = list[cursor % list.length]!;
      cursor++;
      findings.push({
        action: 'raise',
        cause: c.cause,
        severity: c.severity,
        deviceId: d.id,
        at: Date.now(),
        message: `bench ${c.cause}`,
      });
    }
    await gw.app.alerts.apply(findings).catch((err) => log('apply failed', err.message));
    raised += findings.length;
    next += tickMs;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
})();
// Keep OPEN_S worth of alerts open: resolve the oldest beyond that, faster than they arrive.
const resolveLoop = (async () => {
  while (!stopLoad) {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM alerts WHERE state <> 'resolved' ORDER BY first_seen OFFSET $1 LIMIT $2`,
      [rate * OPEN_S, rate * 3],
    );
    for (const r of rows) {
      await gw.app.alerts
        .resolve(commander, r.id, 'bench')
        .then(() => resolved++)
        .catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
})();

const browser = await launchBrowser({ extraArgs: ['--js-flags=--expose-gc'] });
const context = await browser.newContext();
const page = await signIn(context, gw.url, '/screen', 'wall', DEMO_PASSWORD);
await page.waitForSelector('[data-testid=map][data-ready=true]', { timeout: 120_000 });
await page.waitForFunction(
  () => Number(document.querySelector('[data-testid=map]')?.getAttribute('data-devices')) > 0,
  undefined,
  { timeout: 120_000 },
);
const markers = await page.getAttribute('[data-testid=map]', 'data-devices');
log(`wall ready: ${markers} device markers`);
const cdp = await context.newCDPSession(page);
// A string, not a function: tsx would wrap named functions in a helper the page lacks.
await page.evaluate(`(() => {
  window.__frames = 0;
  const loop = () => { window.__frames++; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
})()`);
const frameCount = () => page.evaluate('window.__frames') as Promise<number>;
const heapAfterGc = async () => {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usedSize;
};

const fps: number[] = [];
const heap: Array<{ atS: number; mb: number }> = [];
const started = Date.now();
let lastFrames = await frameCount();
let lastAt = Date.now();
while (Date.now() - started < minutes * 60_000) {
  await new Promise((r) => setTimeout(r, 10_000));
  const frames = await frameCount();
  const now = Date.now();
  const f = ((frames - lastFrames) * 1000) / (now - lastAt);
  lastFrames = frames;
  lastAt = now;
  const atS = Math.round((now - started) / 1000);
  if (atS > warmupS) fps.push(f);
  const minuteMark =
    heap.length === 0
      ? atS >= warmupS
      : atS - heap.at(-1)!.atS >= 60 || now - started >= minutes * 60_000 - 10_000;
  let line = `t=${atS}s fps=${f.toFixed(1)} raised=${raised} resolved=${resolved}`;
  if (minuteMark) {
    const bytes = await heapAfterGc();
    heap.push({ atS, mb: bytes / 1048576 });
    line += ` heap=${(bytes / 1048576).toFixed(1)} MB`;
  }
  log(line);
}
stopLoad = true;
await Promise.all([loadLoop, resolveLoop]);
const open = await page.textContent('[data-testid=counter-open] b');
const durationS = (Date.now() - started) / 1000;

const sorted = [...fps].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const first = heap[0]?.mb ?? 0;
const last = heap.at(-1)?.mb ?? 0;
const growth = first ? ((last - first) / first) * 100 : 0;
console.log('\n== wall screen benchmark ==');
console.log(
  `conditions: ${fleet.length} devices (${markers} markers), ${rate} new alerts/s + resolutions, ${minutes} min (${durationS.toFixed(0)} s), warm-up ${warmupS} s`,
);
console.log(
  `            Chromium ${CHROMIUM} headless, software WebGL (${CHROMIUM_ARGS.join(' ')}), viewport 1920x1080, ${cpus().length} CPUs shared`,
);
console.log(
  `load:       ${raised} alerts raised (${(raised / durationS).toFixed(1)}/s), ${resolved} resolved; open on the wall at the end: ${open}`,
);
console.log(
  `frame rate: median ${median.toFixed(1)} fps, min ${(sorted[0] ?? 0).toFixed(1)} fps over ${fps.length} 10-s windows (target >= 30)`,
);
console.log(
  `JS heap:    ${heap.map((h) => `${h.mb.toFixed(1)}`).join(' → ')} MB; growth after warm-up ${growth.toFixed(1)} % (target <= 10 %)`,
);
console.log(
  `verdict:    fps ${median >= 30 ? 'OK' : 'BELOW TARGET'}, heap ${growth <= 10 ? 'OK' : 'ABOVE TARGET'}`,
);

await browser.close();
await pool.end();
await gw.close();
await cleanup();
process.exit(0);
