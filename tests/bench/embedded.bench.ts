/**
 * The embedded default (Aedes + PGlite in the server process), no services needed:
 * `npm run bench:embedded [-- --mode throughput|crash]`.
 *
 * - `--mode throughput` (default): the server in a child process on a fresh data directory,
 *   `--devices` (200) registered, a separate load process driving them at `--rate` (20,000)
 *   msg/s for `--seconds` (30) with `--max-inflight` (100) per connection. Prints what the
 *   devices got acknowledged, and what ingest stored (its own counter) per second from the
 *   start until the last reading was stored.
 * - `--mode crash`: `--devices` (20) devices stream QoS 1 readings at `--rate` (2,000) msg/s
 *   in all; after `--kill-after` (15) s the server gets SIGKILL, is started again on the same
 *   data directory, and the devices (which reconnect and resend what was not acknowledged)
 *   go on to `--seconds` (30) s of readings. Prints, per reading: acknowledged to the device,
 *   stored, acknowledged but not stored (lost), stored more than once.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { aCameraReading, importDevices, type TestDevice } from '../integration/ingest-fixtures.ts';
import { TEST_FLEET_SECRET, testServerEnv } from '../support/backends.ts';
import { serverProcess } from '../support/server-process.ts';
import { numberArg, parseArgs } from './lib/args.ts';
import { loadNow, printConditions } from './lib/conditions.ts';
import { benchFleet, benchRunId } from './lib/fleet.ts';
import { connectLoad } from './lib/load.ts';
import { scrape } from './lib/prom.ts';
import { fmt } from './lib/stats.ts';

const args = parseArgs(process.argv.slice(2));
const mode = args.get('mode') ?? 'throughput';
if (mode !== 'throughput' && mode !== 'crash') throw new Error(`--mode: throughput or crash, not "${mode}"`);
const crash = mode === 'crash';
const seconds = numberArg(args, 'seconds', 30);
const rate = numberArg(args, 'rate', crash ? 2000 : 20_000);
const deviceCount = numberArg(args, 'devices', crash ? 20 : 200);
const maxInflight = numberArg(args, 'max-inflight', 100);
const killAfter = numberArg(args, 'kill-after', 15);

const { env, cleanup } = await testServerEnv('embedded', { LOG_LEVEL: 'warn' });
const proc = await serverProcess(env);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Readings and events ingest stored (its own counter; statuses sent at connect left out). */
async function storedTotal(url: string): Promise<number> {
  const samples = await scrape(url);
  return samples
    .filter(
      (s) =>
        s.name === 'gridwatch_ingest_messages_total' &&
        s.labels.result === 'stored' &&
        s.labels.channel !== 'status',
    )
    .reduce((a, s) => a + s.value, 0);
}

async function throughput(): Promise<void> {
  const prefix = benchRunId();
  const fleet = benchFleet(prefix, deviceCount);
  await importDevices(proc.url, fleet);
  const load = await connectLoad({
    mqttUrl: proc.mqttUrl,
    fleetSecret: TEST_FLEET_SECRET,
    prefix,
    fleetSize: deviceCount,
    rate,
    seconds,
    maxInflight,
    workers: Math.ceil(rate / 15_000),
  });
  try {
    const before = await storedTotal(proc.url);
    const started = performance.now();
    const totals = await load.run();
    // run() resolves once every acknowledgement arrived; then wait until all of it is stored.
    let stored = (await storedTotal(proc.url)) - before;
    const ackedAt = performance.now();
    while (stored < totals.acked && performance.now() - ackedAt < 120_000) {
      await sleep(100);
      stored = (await storedTotal(proc.url)) - before;
    }
    const storedSeconds = (performance.now() - started) / 1000;
    const loadSeconds = (totals.lastPublishAt - totals.firstPublishAt) / 1000;
    console.log(`published             ${fmt.int(totals.published)} in ${loadSeconds.toFixed(1)} s`);
    console.log(
      `acknowledged          ${fmt.int(totals.acked)} (${fmt.int(totals.acked / ((ackedAt - started) / 1000))} msg/s until the last acknowledgement)`,
    );
    console.log(
      `stored                ${fmt.int(stored)} (${fmt.int(stored / storedSeconds)} msg/s until the last one was stored, ${storedSeconds.toFixed(1)} s)`,
    );
    console.log(
      `saturated ticks       ${fmt.pct(totals.saturatedShare)} (every connection at its in-flight limit)`,
    );
  } finally {
    await load.close();
  }
}

interface StreamingDevice {
  device: TestDevice;
  client: MqttClient;
  acked: Set<number>;
  seq: number;
}

async function crashRun(): Promise<void> {
  const devices: TestDevice[] = Array.from({ length: deviceCount }, (_, i) => ({
    id: `bc${randomBytes(2).toString('hex')}-cam-${String(i).padStart(3, '0')}`,
    kind: 'camera',
  }));
  await importDevices(proc.url, devices);
  const streams: StreamingDevice[] = await Promise.all(
    devices.map(async (device) => {
      const client = await mqtt.connectAsync(proc.mqttUrl, {
        clientId: device.id,
        username: device.id,
        password: devicePassword(TEST_FLEET_SECRET, device.id),
        clean: true,
        reconnectPeriod: 250,
        connectTimeout: 5000,
      });
      client.on('error', () => {});
      return { device, client, acked: new Set<number>(), seq: 0 };
    }),
  );
  const total = rate * seconds;
  const perDevice = Math.ceil(total / deviceCount);
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000 / deviceCount));
  let ackedAtKill = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    for (const s of streams) {
      for (let i = 0; i < perTick && s.seq < perDevice; i++, s.seq++) {
        const seq = s.seq;
        s.client.publish(
          deviceTopic('camera', s.device.id, 'telemetry'),
          JSON.stringify(aCameraReading(seq)),
          { qos: 1 },
          (err) => {
            if (!err) s.acked.add(seq);
          },
        );
      }
    }
  }, tickMs);
  await sleep(killAfter * 1000);
  await proc.kill();
  ackedAtKill = streams.reduce((a, s) => a + s.acked.size, 0);
  const killedAt = Date.now();
  await proc.start();
  const downSeconds = (Date.now() - killedAt) / 1000;
  const deadline = Date.now() + (seconds + 180) * 1000;
  while (streams.some((s) => s.acked.size < perDevice) && Date.now() < deadline) await sleep(250);
  clearInterval(timer);
  const acked = streams.reduce((a, s) => a + s.acked.size, 0);

  const pool = new pg.Pool({ connectionString: proc.databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ device_id: string; seq: number; n: number }>(
      'SELECT device_id, seq, count(*)::int AS n FROM telemetry WHERE device_id = ANY($1) GROUP BY 1, 2',
      [devices.map((d) => d.id)],
    );
    const stored = new Map<string, number>();
    for (const r of rows) stored.set(`${r.device_id}|${Number(r.seq)}`, r.n);
    let lost = 0;
    for (const s of streams) for (const seq of s.acked) if (!stored.has(`${s.device.id}|${seq}`)) lost++;
    const storedRows = rows.reduce((a, r) => a + r.n, 0);
    const duplicated = rows.filter((r) => r.n > 1).length;
    console.log(
      `readings sent         ${fmt.int(perDevice * deviceCount)} over ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    console.log(
      `acknowledged at kill  ${fmt.int(ackedAtKill)} (SIGKILL after ${killAfter} s; down ${downSeconds.toFixed(1)} s)`,
    );
    console.log(`acknowledged          ${fmt.int(acked)}`);
    console.log(
      `stored                ${fmt.int(storedRows)} rows, ${fmt.int(rows.length)} distinct readings`,
    );
    console.log(`acknowledged, lost    ${fmt.int(lost)}`);
    console.log(`stored twice          ${fmt.int(duplicated)}`);
  } finally {
    await pool.end();
    await Promise.all(streams.map((s) => s.client.endAsync(true).catch(() => {})));
  }
}

try {
  await proc.start();
  console.log(
    `embedded ${mode} bench: ${fmt.int(rate)} msg/s for ${seconds} s from ${deviceCount} devices` +
      (crash ? `, SIGKILL after ${killAfter} s` : `, ≤ ${maxInflight} in flight per connection`),
  );
  printConditions({
    backend: 'embedded: Aedes + PGlite in the server process (child)',
    machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    'load average at start': loadNow(),
  });
  if (crash) await crashRun();
  else await throughput();
  console.log(`load average at end    ${loadNow()}`);
} finally {
  await proc.kill();
  await cleanup();
}
