import { createStatState, DEFAULT_STAT_PARAMS, type StatParams, stepStat } from './statistical.ts';

/** A `timestamp,value` series, parsed. */
export interface Series {
  /** The timestamps as written, echoed into the output. */
  labels: string[];
  times: Float64Array;
  values: Float64Array;
  /**
   * Rows whose timestamp is earlier than one before them. They stay in the series, in the
   * order of arrival, and the detector ignores them (score 0, never an alert), as the
   * server ignores a late reading; a repeated timestamp is an ordinary reading. Absent: none.
   */
  late?: number;
}

export class SeriesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesError';
  }
}

/** `2014-04-01 00:00:00`, ISO 8601 with or without zone, or epoch ms/s. Naive times are UTC. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return n < 1e11 ? n * 1000 : n;
  }
  const iso = s.replace(' ', 'T');
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  return Date.parse(zoned);
}

/** Parses CSV text with a `timestamp,value` header. Errors name the source and line. */
export function parseSeriesCsv(text: string, source = 'input'): Series {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  const columns = header.split(',').map((c) => c.trim().toLowerCase());
  if (columns.length < 2 || columns[0] !== 'timestamp' || columns[1] !== 'value') {
    throw new SeriesError(`${source}:1: expected header "timestamp,value", got "${header}"`);
  }
  const labels: string[] = [];
  const times: number[] = [];
  const values: number[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  let late = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const lineNo = i + 1;
    if (comma < 0) throw new SeriesError(`${source}:${lineNo}: expected "timestamp,value", got "${line}"`);
    const label = line.slice(0, comma).trim();
    const rest = line.slice(comma + 1);
    const next = rest.indexOf(',');
    const valueText = (next < 0 ? rest : rest.slice(0, next)).trim();
    const t = parseTimestamp(label);
    if (!Number.isFinite(t)) throw new SeriesError(`${source}:${lineNo}: bad timestamp "${label}"`);
    const v = valueText === '' ? Number.NaN : Number(valueText);
    if (!Number.isFinite(v)) throw new SeriesError(`${source}:${lineNo}: bad value "${valueText}"`);
    if (t < latest) late++;
    else latest = t;
    labels.push(label);
    times.push(t);
    values.push(v);
  }
  if (labels.length === 0) throw new SeriesError(`${source}: no data rows`);
  return { labels, times: Float64Array.from(times), values: Float64Array.from(values), late };
}

/** Per-sample output of the detector. */
export interface Detection {
  scores: Float64Array;
  alerts: Uint8Array;
}

/**
 * Runs the server's statistical detector over a whole series: `alerts[i]` is 1 exactly
 * where the server's statistical rule would raise (the same `stepStat`, same parameters).
 */
export function detectSeries(series: Series, params: StatParams = DEFAULT_STAT_PARAMS): Detection {
  const n = series.times.length;
  const scores = new Float64Array(n);
  const alerts = new Uint8Array(n);
  const state = createStatState();
  for (let i = 0; i < n; i++) {
    const step = stepStat(state, params, series.times[i] as number, series.values[i] as number);
    scores[i] = step.score;
    alerts[i] = step.raise ? 1 : 0;
  }
  return { scores, alerts };
}

/** `timestamp,value,anomaly_score,alert` with the input's own timestamp and value text. */
export function formatDetectionCsv(series: Series, detection: Detection): string {
  const out: string[] = ['timestamp,value,anomaly_score,alert'];
  for (let i = 0; i < series.labels.length; i++) {
    const score = detection.scores[i] as number;
    out.push(`${series.labels[i]},${series.values[i]},${Number(score.toFixed(6))},${detection.alerts[i]}`);
  }
  return `${out.join('\n')}\n`;
}
