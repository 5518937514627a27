/**
 * Streaming statistical detector for a numeric series with no fixed threshold (people
 * counts, charging current, the `npm run detect` CLI). Constant memory per series: a few
 * scalars plus a day profile and a week profile of fixed size. Pure: the caller passes the
 * sample's own timestamp, nothing reads a clock.
 *
 * Two predictors run side by side and the better one (smaller running scale) speaks:
 * - seasonal: slow level + hour-of-day deviation + day-of-week deviation (EWMA profiles);
 * - local: a fast EWMA of recent values (for series with no rhythm).
 * Each scores its residual against a robust running scale (EWMA of winsorised absolute
 * residuals), so one outlier does not teach the detector that outliers are normal.
 * A two-sided CUSUM over the standardised residuals catches level shifts too small to
 * show in any one point. After a raise the alert stays active until values are normal
 * for `clearAfterS` and a few reports, so one condition raises once.
 */

/** Tuning of the statistical detector. One configuration serves every series. */
export interface StatParams {
  /** Smallest absolute deviation from the expected value worth an alert. @default 0 */
  minDeviation: number;
  /** An active anomaly clears after this long with normal values. @default 600 */
  clearAfterS: number;
  /** ...and after at least this many normal reports. @default 12 */
  clearAfterPoints: number;
  /** Reports seen before any alert. @default 200 */
  warmup: 200, and its size (in scales) that means a level shift. */
  alphaDrift: 0.3, scales. */
  alphaLocal: 0.3, minutes (hour-of-day and day-of-week are local). @default 0 */
  utcOffsetMin: number;
}

export const DEFAULT_STAT_PARAMS: StatParams = {
  minDeviation: 0,
  clearAfterS: 600,
  clearAfterPoints: 12,
  warmup: 200,
  zRaise: 5,
  peakDecay: 0.999,
  qFactor: 0.8,
  alphaDrift: 0.3,
  zShift: 2,
  alphaLocal: 0.3,
  alphaScale: 0.01,
  utcOffsetMin: 0,
};

const DAY_SLOTS = 24;
const WEEK_SLOTS = 7 * 24;
/** Days (weeks) seen before a profile slot is trusted. */
const SLOT_MIN_VISITS = 2;
/** Residuals are clipped at this many scales before they update the scale. */
const WINSOR = 4;
const HOUR_MS = 3_600_000;
const QUANTILE_STEP = 0.05;
/** Scale floor relative to the level. */
const SCALE_FLOOR = 1e-3;
/** Profile weights per visit (a day for hour-of-day, a week for day-of-week). */
const ALPHA_DAY = 0.3;
const ALPHA_WEEK = 0.5;

/** JSON-serialisable state of one series. */
export interface StatState {
  n: number;
  lastT: number;
  local: number;
  localScale: number;
  /** Hourly means by hour of day, and by hour of week as a deviation from the day's. */
  day: number[];
  dayN: number[];
  week: number[];
  weekN: number[];
  seasScale: number;
  /** Running high quantiles of the absolute residuals: what a usual "big" move is. */
  localQ: number;
  seasQ: number;
  /** Smoothed seasonal residual and its recent peak: a level shift is a record. */
  drift: number;
  driftPeak: number;
  active: boolean;
  /** Epoch ms of the last anomalous sample while active. */
  lastAnomalyT: number;
  normalRun: number;
  /** The hour being accumulated (hours since the epoch, local), with its sums. */
  hour: number;
  hourN: number;
  hourSum: number;
  hourWeekSum: number;
}

export function createStatState(): StatState {
  return {
    n: 0,
    lastT: 0,
    local: 0,
    localScale: 0,
    day: new Array(DAY_SLOTS).fill(0),
    dayN: new Array(DAY_SLOTS).fill(0),
    week: new Array(WEEK_SLOTS).fill(0),
    weekN: new Array(WEEK_SLOTS).fill(0),
    seasScale: 0,
    localQ: 0,
    seasQ: 0,
    drift: 0,
    driftPeak: 0,
    active: false,
    lastAnomalyT: 0,
    normalRun: 0,
    hour: -1,
    hourN: 0,
    hourSum: 0,
    hourWeekSum: 0,
  };
}

/** What one sample did. `raise`/`clear` are the alert edges; `score` is in [0, 1]. */
export interface StatStep {
  score: number;
  anomalous: boolean;
  raise: boolean;
  clear: boolean;
  expected: number;
}

/** Scale floor: a flat series must not make every wiggle infinite. */
function floorScale(scale: number, level: number): number {
  const floor = Math.abs(level) * SCALE_FLOOR + 1e-9;
  return scale > floor ? scale : floor;
}

const clip = (r: number, sc: number) => (r > WINSOR * sc ? WINSOR * sc : r < -WINSOR * sc ? -WINSOR * sc : r);

/**
 * Feeds one sample (epoch ms `t`, value `x`) into `s`, mutating it, and says whether it
 * raises or clears. Samples must arrive in time order; older ones are ignored.
 */
export function stepStat(s: StatState, p: StatParams, t: number, x: number): StatStep {
  const result: StatStep = { score: 0, anomalous: false, raise: false, clear: false, expected: x };
  if (!Number.isFinite(x) || (s.n > 0 && t < s.lastT)) return result;
  if (s.n === 0) s.local = x;
  const hour = Math.floor((t + p.utcOffsetMin * 60_000) / HOUR_MS);
  const h = hour % DAY_SLOTS;
  // 1970-01-01 was a Thursday; slot 0 is Monday 00:00.
  const w = (hour + 3 * 24) % WEEK_SLOTS;

  // Predictions from what was learnt before this sample.
  const localRes = x - s.local;
  const localScale = floorScale(s.localScale, s.local);
  const dayOk = s.dayN[h] >= SLOT_MIN_VISITS;
  const weekOk = dayOk && s.weekN[w] >= SLOT_MIN_VISITS;
  const seasExpected = dayOk ? s.day[h] + (weekOk ? s.week[w] : 0) : s.local;
  const seasRes = x - seasExpected;
  const seasScale = dayOk ? floorScale(s.seasScale, seasExpected) : localScale;
  // A spike surprises both the rhythm and the recent level; a slow drift away from the
  // rhythm only shows in the CUSUM.
  const zs = seasRes / seasScale;
  const zl = localRes / localScale;
  const qs = Math.max(s.seasQ, seasScale);
  const ql = Math.max(s.localQ, localScale);
  // Surprise in units of both the mean scale and the usual big move: a series whose
  // normal life has spikes does not alert on every spike.
  const absZ = Math.min(
    Math.min(Math.abs(zs), (p.qFactor * p.zRaise * Math.abs(seasRes)) / qs),
    Math.min(Math.abs(zl), (p.qFactor * p.zRaise * Math.abs(localRes)) / ql),
  );
  const res = Math.abs(zs) < Math.abs(zl) ? seasRes : localRes;

  s.drift += p.alphaDrift * (seasRes - s.drift);
  const absDrift = Math.abs(s.drift);
  const shift = dayOk && absDrift >= p.zShift * seasScale && absDrift * p.qFactor >= s.driftPeak;
  s.driftPeak = Math.max(absDrift, s.driftPeak * p.peakDecay);
  const warm = s.n >= p.warmup;
  const bigEnough = Math.abs(res) >= p.minDeviation || (shift && Math.abs(seasRes) >= p.minDeviation);
  const anomalous = warm && bigEnough && (absZ >= p.zRaise || shift);
  result.anomalous = anomalous;
  result.expected = seasExpected;
  const ratio = absZ / p.zRaise;
  result.score = warm && bigEnough ? Math.max(shift ? 1 : 0, 1 - 0.5 ** (ratio * ratio)) : 0;

  if (anomalous) {
    s.normalRun = 0;
    s.lastAnomalyT = t;
    if (!s.active) {
      s.active = true;
      result.raise = true;
    }
  } else if (s.active) {
    s.normalRun++;
    if (s.normalRun >= p.clearAfterPoints && t - s.lastAnomalyT >= p.clearAfterS * 1000) {
      s.active = false;
      result.clear = true;
    }
  }

  // Learn. Winsorised residuals keep outliers from inflating the scales.
  if (s.n > 0) {
    s.localScale += p.alphaScale * (Math.abs(clip(localRes, localScale)) - s.localScale);
    if (dayOk) s.seasScale += p.alphaScale * (Math.abs(clip(seasRes, seasScale)) - s.seasScale);
    else s.seasScale = s.localScale;
  }
  s.localQ = Math.max(Math.abs(localRes), s.localQ * p.peakDecay);
  s.seasQ = dayOk ? Math.max(Math.abs(seasRes), s.seasQ * p.peakDecay) : s.localQ;
  s.local += p.alphaLocal * localRes;
  // Profiles learn hourly means, one update per hour visited, so their memory is in days
  // whatever the reporting interval.
  if (hour !== s.hour) {
    commitHour(s);
    s.hour = hour;
  }
  const cleaned = dayOk ? seasExpected + clip(seasRes, seasScale) : x;
  s.hourN++;
  s.hourSum += cleaned;
  s.hourWeekSum += cleaned - (dayOk ? s.day[h] : cleaned);
  s.n++;
  s.lastT = t;
  return result;
}

/** Stochastic quantile tracking with a step proportional to the estimate (scale-free). */
function trackQuantile(q: number, r: number, p: number, scale: number): number {
  const step = QUANTILE_STEP * (q > scale ? q : scale);
  return r > q ? q + step * p : q - step * (1 - p);
}

function commitHour(s: StatState): void {
  if (s.hour < 0 || s.hourN === 0) return;
  const h = s.hour % DAY_SLOTS;
  const w = (s.hour + 3 * 24) % WEEK_SLOTS;
  const day = s.hourSum / s.hourN;
  const week = s.hourWeekSum / s.hourN;
  s.day[h] = s.dayN[h] === 0 ? day : s.day[h] + ALPHA_DAY * (day - s.day[h]);
  s.dayN[h]++;
  s.week[w] = s.weekN[w] === 0 ? week : s.week[w] + ALPHA_WEEK * (week - s.week[w]);
  s.weekN[w]++;
  s.hourN = 0;
  s.hourSum = 0;
  s.hourWeekSum = 0;
}
