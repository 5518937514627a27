/**
 * `npm run bench [-- --soak-minutes 10 --screen --seconds 60 --rate 25000 --devices 400 --broker shared]`:
 * ingest (with the bare-subscriber ceiling), alert latency, soak, the NAB detector bench
 * (tests/bench/detect.bench.ts) and, with `--screen`, the wall-screen bench. Each bench runs
 * in its own process and prints its figures and conditions; a markdown summary goes to
 * tests/artifacts/bench-summary.md.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { flagArg, numberArg, parseArgs } from './lib/args.ts';
import { loadNow } from './lib/conditions.ts';
import { REPO_ROOT, requireServices } from './lib/services.ts';
import { fmt } from './lib/stats.ts';

const args = parseArgs(process.argv.slice(2));
const soakMinutes = numberArg(args, 'soak-minutes', 10);
const artifacts = `${REPO_ROOT}tests/artifacts`;
await mkdir(artifacts, { recursive: true });
requireServices();

interface Run {
  name: string;
  command: string;
  code: number | null;
  seconds: number;
  result: Record<string, unknown> | null;
  tail: string[];
  loadBefore: string;
}

/** Runs one bench in its own process, echoing its output; returns its JSON result if it wrote one. */
async function runBench(name: string, file: string, benchArgs: string[], wantsResult = true): Promise<Run> {
  const resultFile = `${artifacts}/bench-${name}.json`;
  await rm(resultFile, { force: true });
  const argv = [...benchArgs, ...(wantsResult ? ['--result', resultFile] : [])];
  const command = `npx tsx tests/bench/${file} ${benchArgs.join(' ')}`.trim();
  console.log(`\n######## ${name}: ${command}  (load ${loadNow()})`);
  const loadBefore = loadNow();
  const t0 = Date.now();
  const tail: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `tests/bench/${file}`, ...argv], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      tail.push(...d.toString().split('\n').filter(Boolean));
      tail.splice(0, Math.max(0, tail.length - 40));
    });
    child.on('exit', (c) => resolve(c));
  });
  let result: Record<string, unknown> | null = null;
  if (wantsResult && existsSync(resultFile)) result = JSON.parse(await readFile(resultFile, 'utf8'));
  return { name, command, code, seconds: (Date.now() - t0) / 1000, result, tail, loadBefore };
}

const ingestArgs = ['seconds', 'rate', 'devices', 'workers']
  .filter((k) => args.has(k))
  .flatMap((k) => [`--${k}`, args.get(k)!]);
const brokerArgs = args.has('broker') ? ['--broker', args.get('broker')!] : [];
const runs: Run[] = [];
runs.push(await runBench('ingest', 'ingest.bench.ts', [...ingestArgs, ...brokerArgs]));
runs.push(await runBench('alerts', 'alert-latency.bench.ts', brokerArgs));
runs.push(await runBench('soak', 'soak.bench.ts', ['--minutes', String(soakMinutes), ...brokerArgs]));
if (existsSync(`${REPO_ROOT}tests/bench/detect.bench.ts`))
  runs.push(await runBench('detect', 'detect.bench.ts', [], false));
if (flagArg(args, 'screen') && existsSync(`${REPO_ROOT}tests/bench/screen.bench.ts`))
  runs.push(await runBench('screen', 'screen.bench.ts', [], false));

const r = (run: Run | undefined, key: string) => run?.result?.[key] as number | undefined;
const ingest = runs.find((x) => x.name === 'ingest');
const alerts = runs.find((x) => x.name === 'alerts');
const soak = runs.find((x) => x.name === 'soak');
const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : '**not met**');
const rows: string[][] = [
  [
    'ingest sustained (stored msg/s)',
    fmt.int(r(ingest, 'sustained') ?? Number.NaN),
    '≥ 20,000 for 60 s',
    mark(r(ingest, 'sustained') === undefined ? undefined : r(ingest, 'sustained')! >= 20_000),
  ],
  ['ingest median per second', fmt.int(r(ingest, 'medianPerSecond') ?? Number.NaN), '', ''],
  [
    'ingest loss (acked − stored)',
    fmt.int(r(ingest, 'loss') ?? Number.NaN),
    '0',
    mark(r(ingest, 'loss') === undefined ? undefined : r(ingest, 'loss') === 0),
  ],
  [
    'publish → commit p50 / p99',
    `${fmt.ms(r(ingest, 'p50') ?? Number.NaN)} / ${fmt.ms(r(ingest, 'p99') ?? Number.NaN)}`,
    '',
    '',
  ],
  [
    'server CPU (cores) / peak RSS',
    `${(r(ingest, 'serverCores') ?? Number.NaN).toFixed(2)} / ${fmt.mb(r(ingest, 'serverPeakRss') ?? Number.NaN)}`,
    '',
    '',
  ],
  ['bare subscriber (msg/s)', fmt.int(r(ingest, 'bareRate') ?? Number.NaN), '', ''],
  [
    'ingest / bare subscriber',
    (r(ingest, 'ratio') ?? Number.NaN).toFixed(2),
    '≥ 0.5',
    mark(r(ingest, 'ratio') === undefined ? undefined : r(ingest, 'ratio')! >= 0.5),
  ],
  [
    'alert latency p50 / p99 / max',
    `${fmt.ms(r(alerts, 'p50') ?? Number.NaN)} / ${fmt.ms(r(alerts, 'p99') ?? Number.NaN)} / ${fmt.ms(r(alerts, 'max') ?? Number.NaN)}`,
    'p99 < 250 ms',
    mark(
      r(alerts, 'p99') === undefined
        ? undefined
        : r(alerts, 'p99')! < 250 && r(alerts, 'missed') === 0 && (r(alerts, 'received') ?? 0) >= 100,
    ),
  ],
  [
    'alert probes received / missed',
    `${r(alerts, 'received') ?? 'n/a'} / ${r(alerts, 'missed') ?? 'n/a'}`,
    '≥ 100 / 0',
    '',
  ],
  [
    `soak RSS after warm-up → end (${soakMinutes} min)`,
    `${fmt.mb(r(soak, 'rssStart') ?? Number.NaN)} → ${fmt.mb(r(soak, 'rssEnd') ?? Number.NaN)} (peak ${fmt.mb(r(soak, 'rssPeak') ?? Number.NaN)})`,
    'flat',
    '',
  ],
  [
    'soak heap used after warm-up → end',
    `${fmt.mb(r(soak, 'heapStart') ?? Number.NaN)} → ${fmt.mb(r(soak, 'heapEnd') ?? Number.NaN)} (slope ${fmt.mb(r(soak, 'heapSlopePerMin') ?? Number.NaN)}/min)`,
    'flat',
    '',
  ],
  [
    'soak loss',
    fmt.int(r(soak, 'loss') ?? Number.NaN),
    '0',
    mark(r(soak, 'loss') === undefined ? undefined : r(soak, 'loss') === 0),
  ],
];
const conds = (ingest?.result?.conditions ?? alerts?.result?.conditions ?? {}) as Record<string, string>;
const md = [
  '# gridwatch benchmark summary',
  '',
  `Run ${new Date().toISOString()} with \`npm run bench -- ${process.argv.slice(2).join(' ')}\`.`,
  'Shared 2-core machine: figures are noisy; each bench quotes medians and the load average.',
  '',
  '| figure | value | target | |',
  '|---|---|---|---|',
  ...rows.map((row) => `| ${row.join(' | ')} |`),
  '',
  '## Runs',
  '',
  '| bench | command | exit | duration | load average before |',
  '|---|---|---|---|---|',
  ...runs.map(
    (x) => `| ${x.name} | \`${x.command}\` | ${x.code} | ${x.seconds.toFixed(0)} s | ${x.loadBefore} |`,
  ),
  '',
  '## Conditions (ingest run)',
  '',
  ...Object.entries(conds).map(([k, v]) => `- ${k}: ${v}`),
  ...runs
    .filter((x) => !x.result)
    .flatMap((x) => ['', `## ${x.name} (last lines of its output)`, '', '```', ...x.tail.slice(-25), '```']),
  '',
].join('\n');
await writeFile(`${artifacts}/bench-summary.md`, md);
console.log(`\nsummary: ${artifacts}/bench-summary.md`);
process.exit(runs.every((x) => x.code === 0) ? 0 : 1);
