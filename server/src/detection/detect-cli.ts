/**
 * `npm run detect -- IN.csv OUT.csv`: the server's statistical detector over a
 * `timestamp,value` series. Writes `timestamp,value,anomaly_score,alert`: the score is in
 * [0, 1] and `alert` is 1 exactly where the server's statistical rule would raise (same
 * `stepStat`, same parameters as a catalogue rule with minDeviation 0 and the default
 * clear time). Naive timestamps are read as UTC and the daily rhythm is learnt in UTC.
 * Rows are taken in the order they arrive: a repeated timestamp is a reading like any
 * other, and a row earlier than one before it is written out but ignored by the detector
 * (score 0, no alert), as the server ignores a late reading.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { statParams } from './core/engine.ts';
import { detectSeries, formatDetectionCsv, parseSeriesCsv, SeriesError } from './core/series.ts';

function main(argv: string[]): number {
  const [input, output] = argv;
  if (!input || !output || argv.length > 2) {
    process.stderr.write('usage: npm run detect -- IN.csv OUT.csv\n');
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (err) {
    process.stderr.write(`detect: cannot read ${input}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const series = parseSeriesCsv(text, input);
    const detection = detectSeries(series, statParams({}));
    writeFileSync(output, formatDetectionCsv(series, detection));
    const alerts = detection.alerts.reduce((a, b) => a + b, 0);
    const late = series.late
      ? `, ${series.late} rows earlier than a row before them kept and ignored by the detector (score 0)`
      : '';
    process.stderr.write(`detect: ${series.labels.length} rows, ${alerts} alerts${late} → ${output}\n`);
    return 0;
  } catch (err) {
    if (err instanceof SeriesError) {
      process.stderr.write(`detect: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`detect: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
