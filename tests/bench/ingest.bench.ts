/**
 * Ingest throughput: `npm run bench:ingest [-- --seconds 60 --rate 25000 --devices 400]`.
 *
 * Against the real services (TimescaleDB + the project's Mosquitto): the server in a child
 * process with a database of its own, the bench fleet registered and provisioned, the fleet
 * mix driven at `--rate` for `--seconds` by a separate load-generator process, then the drain.
 * Prints stored messages per second (sustained and median), loss, publish-to-commit latency,
 * the server's CPU and RSS; then the same fleet and load against a bare mqtt.js subscriber
 * (the ceiling) and the ratio. Targets: ≥ 20,000 msg/s over 60 s, zero loss, ≥ ½ the bare
 * subscriber.
 *
 * Options: --workers N (load processes, default ⌈rate / 15,000⌉), --max-inflight N (per connection, 100),
 * --event-share X (0.001), --cpu-prof (profile the server into tests/artifacts/prof),
 * --no-bare, --broker shared (the test broker rather than a private instance of the project's
 * Mosquitto), --result FILE (JSON for run-all).
 */

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { flagArg, numberArg, parseArgs } from './lib/args.ts';
import { forkBareSubscriber } from './lib/children.ts';
import { conditions, loadNow, printConditions } from './lib/conditions.ts';
import { summarizeNewestProfile } from './lib/cpuprofile.ts';
import { startCommitProbe, storedCount } from './lib/database.ts';
import { startDbProbe } from './lib/db-probe.ts';
import { connectLoad } from './lib/load.ts';
import { cpuByProcess, cpuDelta, machineCpu, sampleProcess } from './lib/proc.ts';
import { bucketDelta, bucketQuantile, histograms, scrape, value } from './lib/prom.ts';
import { REPO_ROOT } from './lib/services.ts';
import { endSession, openBench } from './lib/session.ts';
import { fmt, median, percentile } from './lib/stats.ts';
import { watchBrokerSys } from './lib/sys-watch.ts';

const args = parseArgs(process.argv.slice(2));
const seconds = numberArg(args, 'seconds', 60);
const rate = numberArg(args, 'rate', 25_000);
const devices = numberArg(args, 'devices', 400);
// One load process used about 0.2 cores per 8k msg/s here: split high rates so the generator is not the limit.
const workers = numberArg(args, 'workers', Math.ceil(rate / 15_000));
const maxInflight = numberArg(args, 'max-inflight', 100);
const eventShare = numberArg(args, 'event-share', 0.001);
const cpuProf = flagArg(args, 'cpu-prof');
const withBare = !flagArg(args, 'no-bare');
const resultFile = args.get('result');

const profDir = `${REPO_ROOT}tests/artifacts/prof`;
if (cpuProf) {
  await rm(profDir, { recursive: true, force: true });
  await mkdir(profDir, { recursive: true });
}

console.log(
  `ingest bench: ${fmt.int(rate)} msg/s for ${seconds} s from ${devices} devices (${workers} load process(es), ` +
    `≤ ${maxInflight} in flight per connection, event share ${eventShare})`,
);
const bench = await openBench({
  broker: args.get('broker') === 'shared' ? 'shared' : 'private',
  fleetSize: devices,
  execArgv: cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [],
});
const { services, cleanup } = bench;
const result: Record<string, unknown> = { bench: 'ingest', seconds, rate, devices };
try {
  const cond = await conditions({
    mqttUrl: services.mqttUrl,
    mqttUser: services.adminUsername ?? services.serverUsername,
    mqttPassword: services.adminPassword ?? services.serverPassword,
    databaseUrl: bench.databaseUrl,
  });
  cond.provisioning = bench.provisioning;
  cond['broker instance'] = bench.broker;
  cond.fleet = `${devices} devices (${['cam', 'chg', 'lck'].map((k) => `${bench.fleet.filter((d) => d.id.includes(`-${k}-`)).length} ${k}`).join(', ')})`;

  // Every 40th device is a latency sentinel (2.5 % of rows notify at commit).
  const sentinels = bench.fleet.filter((_, i) => i % 40 === 0).map((d) => d.id);
  const sentinelShare = sentinels.length / bench.fleet.length;
  const probe = await startCommitProbe(bench.databaseUrl, sentinels);
  cleanup.add('stop commit probe', () => probe.stop());

  const load = await connectLoad({
    mqttUrl: services.mqttUrl,
    fleetSecret: bench.secret,
    prefix: bench.prefix,
    fleetSize: devices,
    rate,
    seconds,
    workers,
    maxInflight,
    eventShare,
  });
  cleanup.add('close load generators', () => load.close());
  // Let ingest settle the retained online statuses before measuring.
  await new Promise((r) => setTimeout(r, 3000));
  probe.reset();

  // ---- phase 1: the server ----
  const sys = await watchBrokerSys(
    services.mqttUrl,
    services.adminUsername ?? services.serverUsername,
    services.adminPassword ?? services.serverPassword,
  );
  const metricsBefore = await scrape(bench.server.url).catch(() => []);
  const cpuBefore = cpuByProcess();
  const m0 = machineCpu();
  const serverProc = sampleProcess(bench.server.pid);
  const loadProcs = load.pids().map((pid) => sampleProcess(pid));
  const brokerProc = bench.brokerPid ? sampleProcess(bench.brokerPid) : undefined;
  const dbProbe = await startDbProbe(bench.databaseUrl);
  const notifyTimes: number[] = [];
  const probeStart = probe.latencies.length;
  let ticks = 0;
  const progressTimer = setInterval(() => {
    const p = load.progress();
    const line = `  published ${fmt.int(p.published)}  acked ${fmt.int(p.acked)}  in flight ${fmt.int(p.inflight)}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}   `);
    else if (++ticks % 5 === 0) console.log(line);
  }, 2000);
  const sentinelClock = setInterval(() => notifyTimes.push(probe.latencies.length), 1000);
  const t0 = Date.now();
  const totals = await load.run();
  clearInterval(progressTimer);
  if (process.stdout.isTTY) process.stdout.write('\n');

  // Drain: poll the exact count until every acknowledged message is stored or nothing moves for 15 s.
  const expected = totals.acked;
  let stored = await storedCount(bench.pool, bench.prefix);
  let drainedAt = Date.now();
  let lastChange = Date.now();
  for (;;) {
    const n = stored.telemetry + stored.events;
    if (n >= expected) break;
    if (Date.now() - lastChange > 15_000) break;
    await new Promise((r) => setTimeout(r, 500));
    const next = await storedCount(bench.pool, bench.prefix);
    if (next.telemetry + next.events !== n) {
      lastChange = Date.now();
      drainedAt = lastChange;
    }
    stored = next;
  }
  if (stored.telemetry + stored.events >= expected) drainedAt = Math.min(drainedAt, Date.now());
  clearInterval(sentinelClock);
  const serverUse = serverProc.stop();
  const loadCores = loadProcs.reduce((a, p) => a + p.stop().cores, 0);
  const brokerUse = brokerProc?.stop();
  const dbPace = await dbProbe.stop();
  const spanS = (drainedAt - totals.firstPublishAt) / 1000;
  const cpuByComm = cpuDelta(cpuBefore, cpuByProcess(), (Date.now() - t0) / 1000);
  const m1 = machineCpu();
  const machineBusy = (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total);
  const metricsAfter = await scrape(bench.server.url).catch(() => []);
  await sys.stop();
  const dead = await bench.pool
    .query<{ reason: string; n: string }>(
      'SELECT reason, count(*) AS n FROM dead_letters WHERE device_id LIKE $1 GROUP BY reason',
      [`${bench.prefix}-%`],
    )
    .catch(() => ({ rows: [] as Array<{ reason: string; n: string }> }));

  const storedTotal = stored.telemetry + stored.events;
  const sustained = storedTotal / spanS;
  // Per-second stored rate, estimated from the sentinels' commit notifications (they are an exact share of the rows).
  const perSecondStored: number[] = [];
  for (let i = 1; i < notifyTimes.length; i++)
    perSecondStored.push((notifyTimes[i]! - notifyTimes[i - 1]!) / sentinelShare);
  const busySeconds = perSecondStored.slice(1, Math.max(2, Math.floor(seconds) - 1));
  const latencies = probe.latencies.slice(probeStart);
  const publishedPerS = totals.perSecond.slice(1, -1);

  console.log('\n== gridwatch ingest ==');
  printConditions({ ...cond, 'load average at end': loadNow() });
  const lines: Array<[string, string]> = [
    [
      'published (acked by broker)',
      `${fmt.int(totals.published)} (${fmt.int(totals.acked)}; ${fmt.int(totals.publishedEvents)} events; failed ${totals.failed})`,
    ],
    [
      'offered rate (median/s)',
      `${fmt.int(median(publishedPerS))} msg/s (target ${fmt.int(rate)}; windows full ${fmt.pct(totals.saturatedShare)} of ticks)`,
    ],
    [
      'stored',
      `${fmt.int(storedTotal)} (${fmt.int(stored.telemetry)} telemetry, ${fmt.int(stored.events)} events)`,
    ],
    [
      'loss (acked − stored)',
      `${fmt.int(totals.acked - storedTotal)} (published − stored: ${fmt.int(totals.published - storedTotal)})`,
    ],
    [
      'dead letters (bench devices)',
      dead.rows.length ? dead.rows.map((r) => `${r.reason}: ${r.n}`).join(', ') : '0',
    ],
    ['stored msg/s, sustained', `${fmt.int(sustained)} (first publish → last commit, ${spanS.toFixed(1)} s)`],
    [
      'stored msg/s, median per s',
      `${fmt.int(median(busySeconds))} (p10 ${fmt.int(percentile(busySeconds, 10))}, from commit notifications)`,
    ],
    [
      'publish → commit p50 / p99',
      `${fmt.ms(percentile(latencies, 50))} / ${fmt.ms(percentile(latencies, 99))} (max ${fmt.ms(Math.max(...latencies))}, n = ${latencies.length})`,
    ],
    ['server CPU', `${serverUse.cores.toFixed(2)} cores (${serverUse.cpuSeconds.toFixed(1)} s CPU)`],
    ['load generator CPU', `${loadCores.toFixed(2)} cores (${workers} process(es))`],
    ...(brokerUse
      ? ([
          ['broker CPU / RSS peak', `${brokerUse.cores.toFixed(2)} cores / ${fmt.mb(brokerUse.peakRss)}`],
        ] as Array<[string, string]>)
      : []),
    ['server RSS peak / end', `${fmt.mb(serverUse.peakRss)} / ${fmt.mb(serverUse.lastRss)}`],
    [
      'DB 1-row commit p50 / p99',
      `${fmt.ms(percentile(dbPace.commits, 50))} / ${fmt.ms(percentile(dbPace.commits, 99))} (own connection, every 0.5 s; WAL ${dbPace.walMBps.toFixed(1)} MB/s, ${dbPace.walSyncsPerS.toFixed(0)} syncs/s, ${dbPace.checkpoints} checkpoints)`,
    ],
    [
      'server DB connections by state',
      dbPace.activity
        .slice(0, 6)
        .map(([what, n]) => `${what} ${n.toFixed(2)}`)
        .join(', '),
    ],
    [
      'server event-loop lag p50 / p99',
      `${fmt.ms(value(metricsAfter, 'gridwatch_nodejs_eventloop_lag_p50_seconds') * 1000)} / ${fmt.ms(value(metricsAfter, 'gridwatch_nodejs_eventloop_lag_p99_seconds') * 1000)}`,
    ],
    ['machine CPU busy', `${fmt.pct(machineBusy)} of ${cpus().length} cores`],
    [
      'CPU by process (cores)',
      cpuByComm
        .slice(0, 6)
        .map(([c, v]) => `${c} ${v.toFixed(2)}`)
        .join(', '),
    ],
  ];
  // The server's own commit-latency histogram(s), if ingest exports them.
  const after = histograms(metricsAfter, /ingest.*(latency|commit|batch)/);
  const before = histograms(metricsBefore, /ingest.*(latency|commit|batch)/);
  for (const [name, h] of after) {
    const d = bucketDelta(h.buckets, before.get(name)?.buckets);
    const show = (q: number) =>
      name.endsWith('_seconds') ? fmt.ms(bucketQuantile(d, q) * 1000) : bucketQuantile(d, q).toFixed(0);
    lines.push([`server ${name.replace('gridwatch_', '')} p50/p99`, `${show(0.5)} / ${show(0.99)}`]);
  }
  if (sys.values.size)
    lines.push([
      'broker $SYS',
      [
        'load/messages/received/1min',
        'load/messages/sent/1min',
        'store/messages/count',
        'load/publish/dropped/1min',
        'clients/connected',
      ]
        .filter((k) => sys.values.has(k))
        .map((k) => `${k} ${sys.values.get(k)}`)
        .join('; '),
    ]);
  const drops = (await bench.brokerLog()).filter((l) => /dropped/i.test(l));
  if (drops.length)
    lines.push(['broker log: drops', `${drops.length} lines, first: ${drops[0]}; last: ${drops.at(-1)}`]);
  for (const [k, v] of lines) console.log(`  ${k.padEnd(30)} ${v}`);
  const serverRss = value(metricsAfter, 'gridwatch_process_resident_memory_bytes');
  Object.assign(result, {
    conditions: cond,
    published: totals.published,
    acked: totals.acked,
    stored: storedTotal,
    loss: totals.acked - storedTotal,
    sustained,
    medianPerSecond: median(busySeconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    serverCores: serverUse.cores,
    serverPeakRss: Number.isFinite(serverRss) ? Math.max(serverRss, serverUse.peakRss) : serverUse.peakRss,
  });

  if (cpuProf) {
    // The profile is written when the server exits.
    await bench.server.stop();
    console.log('\n== server CPU profile (whole server lifetime) ==');
    for (const line of await summarizeNewestProfile(profDir)) console.log(`  ${line}`);
  }

  // ---- phase 2: the bare subscriber under the same fleet and load ----
  if (withBare) {
    await bench.server.stop();
    await endSession(
      services.mqttUrl,
      bench.serverEnv.MQTT_CLIENT_ID!,
      services.serverUsername,
      services.serverPassword,
    );
    const sub = forkBareSubscriber({
      mqttUrl: services.mqttUrl,
      username: services.serverUsername,
      password: services.serverPassword,
      clientId: `gw-bench-bare-${bench.runId}-${randomBytes(2).toString('hex')}`,
      prefix: bench.prefix,
    });
    cleanup.add('close bare subscriber', () => sub.close());
    await sub.next('ready', 60_000);
    const subCpu = sampleProcess(sub.proc.pid!);
    const bareLoadProcs = load.pids().map((pid) => sampleProcess(pid));
    const bareTotals = await load.run();
    const bareLoadCores = bareLoadProcs.reduce((a, p) => a + p.stop().cores, 0);
    const askReport = async () => {
      const reply = sub.next('report');
      sub.send({ cmd: 'report' });
      return (await reply).report;
    };
    let report = await askReport();
    const until = Date.now() + 60_000;
    let last = -1;
    while (report.received < bareTotals.acked && Date.now() < until && report.received !== last) {
      last = report.received;
      await new Promise((r) => setTimeout(r, 2000));
      report = await askReport();
    }
    const subUse = subCpu.stop();
    await sub.close();
    const bareSpan = (report.lastAt - bareTotals.firstPublishAt) / 1000;
    const bareRate = report.received / bareSpan;
    const bareMedian = median(report.perSecond.slice(1, -1));
    console.log('\n== bare mqtt.js subscriber (ceiling), same fleet and load ==');
    const bl: Array<[string, string]> = [
      ['published (acked)', `${fmt.int(bareTotals.published)} (${fmt.int(bareTotals.acked)})`],
      [
        'offered rate (median/s)',
        `${fmt.int(median(bareTotals.perSecond.slice(1, -1)))} msg/s (load generator ${bareLoadCores.toFixed(2)} cores)`,
      ],
      [
        'received',
        `${fmt.int(report.received)} (lost ${fmt.int(bareTotals.acked - report.received)}, parse errors ${report.parseErrors})`,
      ],
      [
        'received msg/s, sustained',
        `${fmt.int(bareRate)} (first publish → last receipt, ${bareSpan.toFixed(1)} s)`,
      ],
      ['received msg/s, median per s', fmt.int(bareMedian)],
      [
        'publish → receipt p50 / p99',
        `${fmt.ms(percentile(report.latencySample, 50))} / ${fmt.ms(percentile(report.latencySample, 99))}`,
      ],
      ['subscriber CPU', `${subUse.cores.toFixed(2)} cores, RSS peak ${fmt.mb(subUse.peakRss)}`],
      ['ingest / bare (sustained)', `${(sustained / bareRate).toFixed(2)}`],
      ['load average at end', loadNow()],
    ];
    for (const [k, v] of bl) console.log(`  ${k.padEnd(30)} ${v}`);
    Object.assign(result, {
      bareRate,
      bareMedian,
      ratio: sustained / bareRate,
      bareLost: bareTotals.acked - report.received,
    });
  }

  const verdict = [
    `sustained ≥ 20,000 msg/s: ${sustained >= 20_000 ? 'yes' : 'NO'}`,
    `zero loss: ${totals.acked - storedTotal === 0 ? 'yes' : 'NO'}`,
    ...(result.ratio !== undefined
      ? [`≥ ½ bare subscriber: ${(result.ratio as number) >= 0.5 ? 'yes' : 'NO'}`]
      : []),
  ];
  console.log(`\ntargets: ${verdict.join('; ')}`);
  if (cpuProf) console.log(`server CPU profile: ${profDir}`);
} finally {
  await cleanup.run();
  if (resultFile) await writeFile(resultFile, JSON.stringify(result, null, 2));
}
process.exit(0);
