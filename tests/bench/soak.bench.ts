/**
 * Soak: `npm run bench:soak [-- --minutes 10 --rate 2000 --devices 400]`.
 *
 * The fleet at `--rate` msg/s against the server (child process) for `--minutes`; every
 * `--every` seconds, the server's RSS and V8 heap from its own /metrics (prom-client
 * defaults, `gridwatch_` prefix) and /proc. Reports growth from the end of the warm-up to
 * the end, the slope, and the peak; flat is the target. Samples go to
 * tests/artifacts/soak-samples.csv.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { numberArg, parseArgs } from './lib/args.ts';
import { conditions, loadNow, printConditions } from './lib/conditions.ts';
import { storedCount } from './lib/database.ts';
import { connectLoad } from './lib/load.ts';
import { cpuSeconds, rssBytes } from './lib/proc.ts';
import { scrape, value } from './lib/prom.ts';
import { REPO_ROOT } from './lib/services.ts';
import { openBench } from './lib/session.ts';
import { fmt, median, slope } from './lib/stats.ts';

const args = parseArgs(process.argv.slice(2));
const minutes = numberArg(args, 'minutes', 10);
const rate = numberArg(args, 'rate', 2000);
const devices = numberArg(args, 'devices', 400);
const everyS = numberArg(args, 'every', 5);
const resultFile = args.get('result');
const seconds = minutes * 60;
const warmupS = Math.min(60, seconds * 0.2);

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  procRss: number;
  cpu: number;
  published: number;
}

console.log(
  `soak bench: ${fmt.int(rate)} msg/s for ${minutes} min from ${devices} devices, sample every ${everyS} s, warm-up ${warmupS} s`,
);
const bench = await openBench({
  broker: args.get('broker') === 'shared' ? 'shared' : 'private',
  fleetSize: devices,
});
const { services, cleanup } = bench;
const result: Record<string, unknown> = { bench: 'soak', minutes, rate };
try {
  const cond = await conditions({
    mqttUrl: services.mqttUrl,
    mqttUser: services.adminUsername ?? services.serverUsername,
    mqttPassword: services.adminPassword ?? services.serverPassword,
    databaseUrl: bench.databaseUrl,
  });
  cond.provisioning = bench.provisioning;
  cond['broker instance'] = bench.broker;
  const load = await connectLoad({
    mqttUrl: services.mqttUrl,
    fleetSecret: bench.secret,
    prefix: bench.prefix,
    fleetSize: devices,
    rate,
    seconds,
    eventShare: 0.001,
  });
  cleanup.add('close load generators', () => load.close());
  const pid = bench.server.pid;
  const samples: Sample[] = [];
  const t0 = Date.now();
  const take = async () => {
    const m = await scrape(bench.server.url).catch(() => []);
    const s: Sample = {
      t: (Date.now() - t0) / 1000,
      rss: value(m, 'gridwatch_process_resident_memory_bytes'),
      heapUsed: value(m, 'gridwatch_nodejs_heap_size_used_bytes'),
      heapTotal: value(m, 'gridwatch_nodejs_heap_size_total_bytes'),
      procRss: rssBytes(pid),
      cpu: cpuSeconds(pid),
      published: load.progress().published,
    };
    samples.push(s);
    if (samples.length % Math.max(1, Math.round(60 / everyS)) === 0)
      console.log(
        `  ${s.t.toFixed(0).padStart(5)} s  RSS ${fmt.mb(s.rss)}  heap ${fmt.mb(s.heapUsed)} / ${fmt.mb(s.heapTotal)}  published ${fmt.int(s.published)}  load ${loadNow()}`,
      );
  };
  await take();
  const timer = setInterval(() => void take(), everyS * 1000);
  const totals = await load.run();
  clearInterval(timer);
  await take();
  // Drain, then count: a soak must lose nothing either.
  let stored = await storedCount(bench.pool, bench.prefix);
  const deadline = Date.now() + 60_000;
  while (stored.telemetry + stored.events < totals.acked && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    stored = await storedCount(bench.pool, bench.prefix);
  }
  const storedTotal = stored.telemetry + stored.events;

  const steady = samples.filter((s) => s.t >= warmupS && Number.isFinite(s.rss));
  const first = steady.slice(0, 3);
  const last = steady.slice(-3);
  const start = { rss: median(first.map((s) => s.rss)), heap: median(first.map((s) => s.heapUsed)) };
  const end = { rss: median(last.map((s) => s.rss)), heap: median(last.map((s) => s.heapUsed)) };
  const peak = {
    rss: Math.max(...samples.map((s) => s.rss)),
    heap: Math.max(...samples.map((s) => s.heapUsed)),
  };
  const perMin = (key: 'rss' | 'heapUsed') => slope(steady.map((s) => [s.t / 60, s[key]] as const));
  const cpuCores = (samples.at(-1)!.cpu - samples[0]!.cpu) / (samples.at(-1)!.t - samples[0]!.t);

  await mkdir(`${REPO_ROOT}tests/artifacts`, { recursive: true });
  await writeFile(
    `${REPO_ROOT}tests/artifacts/soak-samples.csv`,
    ['t_s,rss_bytes,heap_used_bytes,heap_total_bytes,proc_rss_bytes,cpu_s,published']
      .concat(
        samples.map((s) =>
          [s.t.toFixed(1), s.rss, s.heapUsed, s.heapTotal, s.procRss, s.cpu.toFixed(2), s.published].join(
            ',',
          ),
        ),
      )
      .join('\n'),
  );

  console.log('\n== soak ==');
  printConditions({ ...cond, 'load average at end': loadNow() });
  const lines: Array<[string, string]> = [
    [
      'load',
      `${fmt.int(median(totals.perSecond.slice(1, -1)))} msg/s median for ${minutes} min (published ${fmt.int(totals.published)}, acked ${fmt.int(totals.acked)})`,
    ],
    ['stored / loss', `${fmt.int(storedTotal)} / ${fmt.int(totals.acked - storedTotal)}`],
    [
      'RSS after warm-up → end',
      `${fmt.mb(start.rss)} → ${fmt.mb(end.rss)} (${fmt.mb(end.rss - start.rss)}; slope ${fmt.mb(perMin('rss'))}/min)`,
    ],
    [
      'heap used after warm-up → end',
      `${fmt.mb(start.heap)} → ${fmt.mb(end.heap)} (${fmt.mb(end.heap - start.heap)}; slope ${fmt.mb(perMin('heapUsed'))}/min)`,
    ],
    ['peak RSS / heap used', `${fmt.mb(peak.rss)} / ${fmt.mb(peak.heap)}`],
    ['server CPU', `${cpuCores.toFixed(2)} cores`],
    [
      'samples',
      `${samples.length} (every ${everyS} s; warm-up ${warmupS} s excluded; tests/artifacts/soak-samples.csv)`,
    ],
  ];
  for (const [k, v] of lines) console.log(`  ${k.padEnd(30)} ${v}`);
  Object.assign(result, {
    conditions: cond,
    loss: totals.acked - storedTotal,
    rssStart: start.rss,
    rssEnd: end.rss,
    rssPeak: peak.rss,
    heapStart: start.heap,
    heapEnd: end.heap,
    heapPeak: peak.heap,
    rssSlopePerMin: perMin('rss'),
    heapSlopePerMin: perMin('heapUsed'),
  });
} finally {
  await cleanup.run();
  if (resultFile) await writeFile(resultFile, JSON.stringify(result, null, 2));
}
process.exit(0);
