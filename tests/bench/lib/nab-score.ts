/**
 * NAB v1.1 scoring in process, for the leave-one-folder-out search in detect.bench.ts,
 * which scores hundreds of (configuration, subset) pairs. The same rules as the shared
 * `score.py` (windows, 15 % probation capped at 750 rows, scaled sigmoid, the three
 * profiles, normalised so 100 is perfect and 0 detects nothing); the bench prints both
 * for the chosen configuration so any disagreement shows.
 */
export const PROFILES = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
} as const;
export type Profile = keyof typeof PROFILES;

/** One scored file: its length and its windows as inclusive row ranges. */
export interface ScoredFile {
  rows: number;
  windows: Array<[number, number]>;
}

const sigmoidScore = (position: number) => (position > 3 ? -1 : 2 / (1 + Math.exp(5 * position)) - 1);

/**
 * Windows given as `[start, end]` timestamps (NAB's combined_windows) become row ranges:
 * the first row at or after the start, the last at or before the end.
 */
export function windowRows(labels: string[], windows: Array<[string, string]>): Array<[number, number]> {
  const norm = (t: string) => t.replace('T', ' ').slice(0, 19);
  const ts = labels.map(norm);
  return windows.map(([a, b]) => {
    const start = ts.findIndex((t) => t >= norm(a));
    let end = -1;
    for (let i = ts.length - 1; i >= 0; i--) {
      if ((ts[i] as string) <= norm(b)) {
        end = i;
        break;
      }
    }
    return [start < 0 ? ts.length - 1 : start, end < 0 ? 0 : end];
  });
}

/** Raw score of one file's detections (1 = alert) under one profile. */
function rawScore(file: ScoredFile, alerts: Uint8Array, profile: Profile): number {
  const w = PROFILES[profile];
  const probation = Math.min(Math.floor(0.15 * file.rows), 750);
  const maxTp = sigmoidScore(-1);
  let total = 0;
  let next = 0;
  let current: [number, number] | null = null;
  let previous: [number, number] | null = null;
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < file.rows; i++) {
    const win = file.windows[next];
    if (win && i === win[0]) {
      current = win;
      next++;
      best = Number.NEGATIVE_INFINITY;
    }
    if (alerts[i] && i >= probation) {
      if (current) {
        const position = -(current[1] - i + 1) / (current[1] - current[0] + 1);
        best = Math.max(best, (sigmoidScore(position) * w.tp) / maxTp);
      } else {
        const far = previous ? sigmoidScore(Math.abs(previous[1] - i) / (previous[1] - previous[0])) : -1;
        total += far * w.fp;
      }
    }
    if (current && i === current[1]) {
      // A window wholly inside the probation is not scored (nor counted as missed).
      if (i >= probation) total += best > Number.NEGATIVE_INFINITY ? best : -w.fn;
      previous = current;
      current = null;
    }
  }
  return total;
}

/** Normalised score (100 perfect, 0 = no detections) of a set of files. */
export function nabScore(files: Array<{ file: ScoredFile; alerts: Uint8Array }>, profile: Profile): number {
  const w = PROFILES[profile];
  let raw = 0;
  let windows = 0;
  for (const { file, alerts } of files) {
    raw += rawScore(file, alerts, profile);
    windows += file.windows.length;
  }
  const none = -w.fn * windows;
  const perfect = w.tp * windows;
  return windows === 0 ? Number.NaN : Math.round((10_000 * (raw - none)) / (perfect - none)) / 100;
}
