import { parseArgs } from 'node:util';
import type { Alert, AlertList } from '@gridwatch/devices';
import { generateDistrict } from '../district/generate.ts';
import { districtGeoJson } from '../district/geojson.ts';
import { fleetGeoJson } from '../fleet/export.ts';
import { runScenario, scenarioDevices } from '../scenarios/run.ts';
import { checkAlerts, expectedAlerts, loadScenario, scenarioNames } from '../scenarios/scenario.ts';
import { login } from '../server-api.ts';
import { CliError, checkBroker, fleetSecret, positive } from './options.ts';
import { shanghaiTime, untilInterrupted } from './terminal.ts';

export const SCENARIO_USAGE = `npm run sim -- scenario <name> [options]     (--list shows the scenarios)
  --url URL        broker (default mqtt://127.0.0.1:1884)
  --server URL     gridwatch server: import the district and the scenario's devices, then check
                   that every expected alert arrived (exit 1 if not)
  --user NAME --password PW   (default admin / ADMIN_PASSWORD or gridwatch-admin)
  --secret S | --data-dir DIR fleet secret (as for run)
  --speed N        simulated seconds per second (default 1; time is shifted so it never runs ahead)
  --prefix P       run the devices as <P>-<id> (unique ids on a shared broker)`;

async function post(server: string, token: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(new URL(path, server), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new CliError(`POST ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
}

async function alertsOf(server: string, token: string, deviceIds: string[]): Promise<Alert[]> {
  const out: Alert[] = [];
  for (const id of deviceIds) {
    const res = await fetch(new URL(`/api/alerts?deviceId=${encodeURIComponent(id)}&limit=500`, server), {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new CliError(`GET /api/alerts: ${res.status} ${(await res.text()).slice(0, 300)}`);
    out.push(...((await res.json()) as AlertList).items);
  }
  return out;
}

export async function scenarioCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      list: { type: 'boolean', default: false },
      url: { type: 'string', default: 'mqtt://127.0.0.1:1884' },
      server: { type: 'string' },
      user: { type: 'string', default: 'admin' },
      password: { type: 'string' },
      secret: { type: 'string' },
      'data-dir': { type: 'string' },
      speed: { type: 'string' },
      prefix: { type: 'string' },
    },
  });
  if (values.list || !positionals[0]) {
    for (const name of scenarioNames()) {
      const s = loadScenario(name);
      console.log(`${name.padEnd(20)} ${s.durationS}s  ${s.description}`);
    }
    if (!values.list) throw new CliError(`which scenario?\n${SCENARIO_USAGE}`, 2);
    return;
  }
  const scenario = loadScenario(positionals[0]);
  const speed = positive('speed', values.speed, 1);
  const idPrefix = values.prefix;
  const devices = scenarioDevices(scenario, { idPrefix });
  const secret = fleetSecret({ secret: values.secret, dataDir: values['data-dir'] });
  let token: string | undefined;
  if (values.server) {
    token = await login(
      values.server,
      values.user,
      values.password ?? process.env.ADMIN_PASSWORD ?? 'gridwatch-admin',
    );
    await post(values.server, token, '/api/regions/import', districtGeoJson(generateDistrict(scenario.seed)));
    await post(values.server, token, '/api/devices/import', fleetGeoJson(devices));
    console.log(`imported the district and ${devices.length} devices into ${values.server}`);
  }
  await checkBroker(values.url, devices[0]!, secret);
  console.log(`scenario ${scenario.name}: ${scenario.description}`);
  console.log(`${devices.length} devices, ${scenario.durationS} s simulated at ×${speed}; expecting:`);
  for (const e of expectedAlerts(scenario, { idPrefix }))
    console.log(`  ${e.severity.padEnd(8)} ${e.cause} on ${e.deviceId}`);
  const run = runScenario({
    scenario,
    mqttUrl: values.url,
    fleetSecret: secret,
    speed,
    idPrefix,
    onFault: (f) =>
      console.log(
        `${shanghaiTime(f.at)}  fault ${f.faultId} on ${f.deviceId}${f.started ? '' : ' (not started)'}`,
      ),
  });
  const result = await Promise.race([run, untilInterrupted().then(() => null)]);
  if (!result) {
    console.log('interrupted');
    process.exit(130);
  }
  console.log(
    `done in ${(result.realMs / 1000).toFixed(1)} s: ${result.counts.telemetry} telemetry, ${result.counts.events} events`,
  );
  if (!values.server || !token) return;

  const ids = new Set(devices.map((d) => d.id));
  const deadline = Date.now() + 20_000;
  let check = checkAlerts(scenario, await alertsOf(values.server, token, [...ids]), ids, { idPrefix });
  while (check.missing.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    check = checkAlerts(scenario, await alertsOf(values.server, token, [...ids]), ids, { idPrefix });
  }
  for (const e of expectedAlerts(scenario, { idPrefix })) {
    const missing = check.missing.some((m) => m.cause === e.cause && m.deviceId === e.deviceId);
    console.log(
      `  ${missing ? '✗ missing ' : '✓ arrived '} ${e.severity.padEnd(8)} ${e.cause} on ${e.deviceId}`,
    );
  }
  for (const u of check.unexpectedCritical)
    console.log(`  ✗ unexpected critical ${u.cause} on ${u.deviceId}`);
  if (check.missing.length || check.unexpectedCritical.length)
    throw new CliError(`scenario ${scenario.name} failed`);
  console.log(`scenario ${scenario.name} passed`);
}
