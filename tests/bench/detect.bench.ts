/**
 * Statistical detector against the Numenta Anomaly Benchmark dev set, and its throughput.
 *
 *   npm run bench:detect                 # NAB_DIR defaults to /work/shared/nab
 *   NAB_DIR=/path/to/nab RUNS=7 npm run bench:detect
 *
 * For every file the detector writes what `npm run detect` writes; the `alert` column (the
 * server's raise decisions) is scored with NAB's score.py at threshold 0.5. One
 * configuration (the CLI's, `statParams({})`) for every file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { statParams } from '../../server/src/detection/core/engine.ts';
import {
  detectSeries,
  formatDetectionCsv,
  parseSeriesCsv,
  type Series,
} from '../../server/src/detection/core/series.ts';
import type { StatParams } from '../../server/src/detection/core/statistical.ts';
import { nabScore, type ScoredFile, windowRows } from './lib/nab-score.ts';

const nabDir = process.env.NAB_DIR ?? '/work/shared/nab';
const runs = Number(process.env.RUNS ?? 7);
const keep = process.env.KEEP_RESULTS === '1';
// What the CLI and a catalogue rule with no minDeviation run with.
const params = statParams({});

function listCsv(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listCsv(dir, rel));
    else if (entry.name.endsWith('.csv')) out.push(rel);
  }
  return out.sort();
}

const files = listCsv(join(nabDir, 'data'));
const series = new Map<string, Series>();
for (const rel of files)
  series.set(rel, parseSeriesCsv(readFileSync(join(nabDir, 'data', rel), 'utf8'), rel));
const points = [...series.values()].reduce((n, s) => n + s.times.length, 0);

// Scoring: the CLI's output, with the alert column as NAB's anomaly_score.
const outDir = mkdtempSync(join(tmpdir(), 'gw-detect-'));
let alerts = 0;
for (const [rel, s] of series) {
  const detection = detectSeries(s, params);
  const csv = formatDetectionCsv(s, detection);
  const scored = csv
    .trimEnd()
    .split('\n')
    .map((line, i) => {
      if (i === 0) return 'timestamp,value,anomaly_score';
      const cols = line.split(',');
      return `${cols[0]},${cols[1]},${cols[3]}`;
    });
  alerts += detection.alerts.reduce((a, b) => a + b, 0);
  mkdirSync(dirname(join(outDir, rel)), { recursive: true });
  writeFileSync(join(outDir, rel), `${scored.join('\n')}\n`);
}
const scoreArgs = [
  join(nabDir, 'score.py'),
  '--windows',
  join(nabDir, 'windows.json'),
  '--results',
  outDir,
  '--threshold',
  '0.5',
];
const scores = JSON.parse(execFileSync('python3', scoreArgs, { encoding: 'utf8' })) as Record<
  string,
  { score: number }
> & { files: number; windows: number };

// Throughput: the detector alone over every series in memory, median of `runs`.
const rates: number[] = [];
for (let r = 0; r < runs; r++) {
  const start = process.hrtime.bigint();
  for (const s of series.values()) detectSeries(s, params);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rates.push(points / seconds);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)] as number;

// End to end as the CLI does it: parse, detect, format.
const e2eRates: number[] = [];
const texts = files.map((rel) => readFileSync(join(nabDir, 'data', rel), 'utf8'));
for (let r = 0; r < Math.min(runs, 3); r++) {
  const start = process.hrtime.bigint();
  for (const text of texts) {
    const s = parseSeriesCsv(text);
    formatDetectionCsv(s, detectSeries(s, params));
  }
  e2eRates.push(points / (Number(process.hrtime.bigint() - start) / 1e9));
}
e2eRates.sort((a, b) => a - b);

// Honest validation on the dev set alone: leave one folder out, choose the configuration
// that scores best on the other folders, score it on the folder left out. A large gap
// between these and the all-dev score means the settings fit the dev series.
const windows = JSON.parse(readFileSync(join(nabDir, 'windows.json'), 'utf8')) as Record<
  string,
  Array<[string, string]>
>;
const scored = new Map<string, ScoredFile>();
for (const [rel, s] of series)
  scored.set(rel, { rows: s.times.length, windows: windowRows(s.labels, windows[rel] ?? []) });
const folderOf = (rel: string) => rel.split('/')[0] as string;
const folders = [...new Set(files.map(folderOf))].filter((f) =>
  files.some((rel) => folderOf(rel) === f && (scored.get(rel)?.windows.length ?? 0) > 0),
);
const grid: Array<Partial<StatParams>> = [];
for (const ageFactor of [0, 0.25, 0.5])
  for (const extMargin of [-1, 0.05, 0.1])
    for (const zRaise of [5, 7, 9]) grid.push({ ageFactor, extMargin, zRaise });
const configs = grid.map((overrides) => {
  const p = { ...params, ...overrides };
  const alertsOf = new Map<string, Uint8Array>();
  for (const [rel, s] of series) alertsOf.set(rel, detectSeries(s, p).alerts);
  const scoreOn = (keep: (rel: string) => boolean) =>
    nabScore(
      files
        .filter(keep)
        .map((rel) => ({ file: scored.get(rel) as ScoredFile, alerts: alertsOf.get(rel) as Uint8Array })),
      'standard',
    );
  return { overrides, scoreOn };
});
const defaults = configs.find(
  (r) =>
    r.overrides.ageFactor === params.ageFactor &&
    r.overrides.extMargin === params.extMargin &&
    r.overrides.zRaise === params.zRaise,
);
const inProcessAll = defaults?.scoreOn(() => true);
const lofo = folders.map((folder) => {
  let best = configs[0] as (typeof configs)[number];
  let bestTrain = Number.NEGATIVE_INFINITY;
  for (const r of configs) {
    const train = r.scoreOn((rel) => folderOf(rel) !== folder);
    if (train > bestTrain) {
      bestTrain = train;
      best = r;
    }
  }
  return {
    folder,
    chosen: best.overrides,
    train: bestTrain,
    test: best.scoreOn((rel) => folderOf(rel) === folder),
    defaults: defaults?.scoreOn((rel) => folderOf(rel) === folder) ?? Number.NaN,
  };
});
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

console.log(
  `NAB dev set: ${scores.files} files, ${scores.windows} windows, ${points} points, ${alerts} alerts`,
);
console.log(`  standard        ${scores.standard?.score}`);
console.log(`  reward_low_FP   ${scores.reward_low_FP_rate?.score}`);
console.log(`  reward_low_FN   ${scores.reward_low_FN_rate?.score}`);
console.log(
  `  scored with: python3 ${scoreArgs.join(' ')}${keep ? '' : '  (KEEP_RESULTS=1 keeps the results)'}`,
);
console.log(
  `  (in-process scorer, standard: ${inProcessAll}; it must agree with score.py for the folds below to mean anything)`,
);
console.log(
  `leave one folder out (standard; chosen from ${grid.length} configurations of ageFactor, extMargin, zRaise on the other folders):`,
);
for (const r of lofo)
  console.log(
    `  ${r.folder.padEnd(22)} left out ${r.test.toFixed(2).padStart(6)}   defaults ${r.defaults.toFixed(2).padStart(6)}   train ${r.train.toFixed(2)}   chosen ${JSON.stringify(r.chosen)}`,
  );
console.log(
  `  mean over folders: left out ${mean(lofo.map((r) => r.test)).toFixed(2)}, defaults ${mean(lofo.map((r) => r.defaults)).toFixed(2)}`,
);
console.log(
  `throughput (detector only, one core, median of ${runs}): ${Math.round(median).toLocaleString('en')} points/s`,
);
console.log(
  `throughput (parse + detect + format, median of ${e2eRates.length}): ${Math.round(e2eRates[Math.floor(e2eRates.length / 2)] as number).toLocaleString('en')} points/s`,
);
console.log(
  `conditions: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores, shared, load average ${loadavg()[0]?.toFixed(1)}), params ${JSON.stringify(params)}`,
);
if (keep) console.log(`results kept in ${outDir}`);
else rmSync(outDir, { recursive: true, force: true });
