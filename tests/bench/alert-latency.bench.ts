/**
 * Alert latency: `npm run bench:alerts [-- --probes 120 --rate 10000 --devices 400]`.
 *
 * Device publish → Socket.IO receipt by an officer, while the load generator drives the
 * fleet at `--rate` msg/s in the background. A probe is a locker's `forced-open` event
 * (critical, an alert in itself); once the officer's socket has the alert, the officer
 * resolves it, so the next probe on that locker raises a new one. Probe lockers stand in a
 * grid of street D610104-S01 of the simulated district; the officer is that street's.
 * Target: p99 < 250 ms over ≥ 100 probes.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  type Alert,
  type ClientToServerEvents,
  deviceTopic,
  type ServerToClientEvents,
} from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { districtGeoJson, generateDistrict } from '../../simulators/src/index.ts';
import { numberArg, parseArgs } from './lib/args.ts';
import { conditions, loadNow, printConditions } from './lib/conditions.ts';
import type { BenchDevice } from './lib/fleet.ts';
import { connectLoad } from './lib/load.ts';
import { sampleProcess } from './lib/proc.ts';
import { apiCall, loginToken } from './lib/provision.ts';
import { openBench } from './lib/session.ts';
import { fmt, median, percentile } from './lib/stats.ts';

const args = parseArgs(process.argv.slice(2));
const probes = numberArg(args, 'probes', 120);
const rate = numberArg(args, 'rate', 10_000);
const devices = numberArg(args, 'devices', 400);
const probeDevices = numberArg(args, 'probe-devices', 5);
const gapMs = numberArg(args, 'gap-ms', 200);
const resultFile = args.get('result');

const STREET = 'D610104-S01';
const district = generateDistrict();
const grid = district.grids.find((g) => g.id.startsWith(`${STREET}-`));
if (!grid) throw new Error(`the simulated district has no grid in ${STREET}`);
const corners = grid.ring.slice(0, -1);
const gridCentre: [number, number] = [
  corners.reduce((a, p) => a + p[0]!, 0) / corners.length,
  corners.reduce((a, p) => a + p[1]!, 0) / corners.length,
];

const probeSuffix = randomBytes(2).toString('hex');
const probeFleet: BenchDevice[] = Array.from({ length: probeDevices }, (_, i) => ({
  id: `bp${probeSuffix}-lck-${String(i + 1).padStart(3, '0')}`,
  kind: 'locker',
}));

console.log(
  `alert latency bench: ${probes} probes from ${probeDevices} lockers in ${grid.id}, background ${fmt.int(rate)} msg/s from ${devices} devices`,
);
const bench = await openBench({
  broker: args.get('broker') === 'shared' ? 'shared' : 'private',
  fleetSize: devices,
  extraDevices: probeFleet,
  devicePosition: gridCentre,
  async beforeDevices(url, token) {
    if (!token) throw new Error('admin login failed: the alert bench needs auth');
    const res = await apiCall(url, token, 'POST', '/api/regions/import', districtGeoJson(district));
    if (res.status >= 300)
      throw new Error(`region import: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  },
});
const { services, cleanup } = bench;
const result: Record<string, unknown> = { bench: 'alerts', probes, rate };
try {
  const cond = await conditions({
    mqttUrl: services.mqttUrl,
    mqttUser: services.adminUsername ?? services.serverUsername,
    mqttPassword: services.adminPassword ?? services.serverPassword,
    databaseUrl: bench.databaseUrl,
  });
  cond.provisioning = bench.provisioning;
  cond['broker instance'] = bench.broker;

  // The officer of the probes' street, logged in over Socket.IO.
  const officer = {
    username: `bench-officer-${probeSuffix}`,
    password: randomBytes(9).toString('base64url'),
  };
  const created = await apiCall(bench.server.url, bench.adminToken, 'POST', '/api/users', {
    ...officer,
    displayName: '压测网格员 Bench officer',
    role: 'officer',
    regionId: STREET,
  });
  if (created.status >= 300)
    throw new Error(`creating the officer: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await loginToken(bench.server.url, officer.username, officer.password);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(bench.server.url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  cleanup.add('close socket', async () => socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });

  const waiting = new Map<string, (alert: Alert) => void>();
  socket.on('alert:new', (alert) => {
    if (alert.cause !== 'locker-forced-open') return;
    waiting.get(alert.deviceId)?.(alert);
  });

  const clients: MqttClient[] = [];
  for (const d of probeFleet) {
    const c = await mqtt.connectAsync(services.mqttUrl, {
      clientId: d.id,
      username: d.id,
      password: devicePassword(bench.secret, d.id),
      clean: true,
      reconnectPeriod: 0,
    });
    c.on('error', () => {});
    await c.publishAsync(
      deviceTopic('locker', d.id, 'status'),
      JSON.stringify({ state: 'online', ts: Date.now() }),
      {
        qos: 1,
        retain: true,
      },
    );
    clients.push(c);
  }
  cleanup.add('close probe devices', async () => {
    for (const [i, c] of clients.entries()) {
      await c
        .publishAsync(deviceTopic('locker', probeFleet[i]!.id, 'status'), '', { qos: 1, retain: true })
        .catch(() => {});
      await c.endAsync().catch(() => {});
    }
  });

  const load = await connectLoad({
    mqttUrl: services.mqttUrl,
    fleetSecret: bench.secret,
    prefix: bench.prefix,
    fleetSize: devices,
    rate,
    seconds: 0,
    eventShare: 0.001,
  });
  cleanup.add('close load generators', () => load.close());
  const loadDone = load.run();
  loadDone.catch(() => {}); // awaited below; a failure must not crash the probes first
  await new Promise((r) => setTimeout(r, 5000));

  const serverProc = sampleProcess(bench.server.pid);
  const latencies: number[] = [];
  let missed = 0;
  let consecutiveMisses = 0;
  let sent = 0;
  let resolveFailures = 0;
  const seq = new Map<string, number>();
  for (let i = 0; i < probes; i++) {
    const d = probeFleet[i % probeFleet.length]!;
    const c = clients[i % clients.length]!;
    const n = (seq.get(d.id) ?? 0) + 1;
    seq.set(d.id, n);
    const got = new Promise<Alert | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 10_000);
      waiting.set(d.id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
    const t0 = performance.now();
    sent++;
    c.publish(
      deviceTopic('locker', d.id, 'event'),
      JSON.stringify({ ts: Date.now(), seq: n, type: 'forced-open' }),
      {
        qos: 1,
      },
    );
    const alert = await got;
    const ms = performance.now() - t0;
    waiting.delete(d.id);
    if (!alert) {
      missed++;
      consecutiveMisses++;
      console.log(`  probe ${i + 1}: no alert within 10 s (${missed} missed)`);
      if (consecutiveMisses >= 5) {
        console.log('  5 probes in a row raised nothing: stopping (is detection or the database down?)');
        break;
      }
      continue;
    }
    consecutiveMisses = 0;
    latencies.push(ms);
    if ((i + 1) % 20 === 0)
      console.log(
        `  ${i + 1} probes: p50 ${fmt.ms(percentile(latencies, 50))}, last ${fmt.ms(ms)}, load ${loadNow()}`,
      );
    const res = await apiCall(bench.server.url, token, 'POST', `/api/alerts/${alert.id}/resolve`, {
      remark: 'bench probe',
    });
    if (res.status !== 200) resolveFailures++;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const serverUse = serverProc.stop();
  load.stop();
  const totals = await loadDone;
  const bgRate = median(totals.perSecond.slice(1, -1));

  console.log('\n== alert latency (device publish → officer socket) ==');
  printConditions({ ...cond, 'load average at end': loadNow() });
  const lines: Array<[string, string]> = [
    [
      'background load (median/s)',
      `${fmt.int(bgRate)} msg/s from ${devices} devices (target ${fmt.int(rate)}; published ${fmt.int(totals.published)})`,
    ],
    [
      'probes',
      `${sent} sent of ${probes} (received ${latencies.length}, missed ${missed}, resolve failures ${resolveFailures})`,
    ],
    [
      'latency p50 / p99 / max',
      `${fmt.ms(percentile(latencies, 50))} / ${fmt.ms(percentile(latencies, 99))} / ${fmt.ms(Math.max(...latencies))}`,
    ],
    ['server CPU / RSS peak', `${serverUse.cores.toFixed(2)} cores / ${fmt.mb(serverUse.peakRss)}`],
  ];
  for (const [k, v] of lines) console.log(`  ${k.padEnd(30)} ${v}`);
  const p99 = percentile(latencies, 99);
  console.log(`\ntarget p99 < 250 ms: ${p99 < 250 && missed === 0 ? 'yes' : 'NO'}`);
  Object.assign(result, {
    conditions: cond,
    sent,
    received: latencies.length,
    missed,
    p50: percentile(latencies, 50),
    p99,
    max: Math.max(...latencies),
    backgroundRate: bgRate,
  });
} finally {
  await cleanup.run();
  if (resultFile) await writeFile(resultFile, JSON.stringify(result, null, 2));
}
process.exit(0);
