/**
 * Streaming statistical detector for a numeric series with no fixed threshold (people
 * counts, charging current, the `npm run detect` CLI). Constant memory per series: a few
 * scalars plus an hour-of-day profile (24) and an hour-of-week profile (168). Pure: the
 * caller passes the sample's own timestamp, nothing reads a clock.
 *
 * Two predictors run side by side:
 * - seasonal: hourly means by hour of day (EWMA over days) plus the hour of week's
 *   deviation from them (EWMA over weeks), trusted once a slot has been seen twice;
 * - local: a fast EWMA of recent values, for series with no rhythm.
 * A point raises only when it surprises both (robust z-score against a running scale of
 * winsorised residuals) and beats the recent peak residual of both: a series whose
 * normal life has spikes does not alert on every spike. A smoothed seasonal residual that
 * beats its own recent peak catches level shifts and lost rhythms. After a raise the
 * alert stays active until values are normal for `clearAfterS` and `clearAfterPoints`
 * reports, so one condition raises once (the refractory period).
 *
 * Two choices keep it honest on series it has never seen (measured on NAB by leaving
 * each folder out, and on long synthetic series in `statistical.test.ts`):
 * - the memory of "usual big moves" grows with the series' age (`ageFactor`): a record
 *   has to stay beaten for longer the more history there is, so a long, busy series does
 *   not re-alert on every burst as old peaks fade; on an i.i.d. series the count of
 *   records grows with the logarithm of its length, not linearly;
 * - a value outside the range the series held until a day ago, by a margin of that range
 *   (`extMargin`) and of the short-term noise (`zExt`), raises once the series is a week
 *   old (`extMinAgeH`): slow drifts of machine-like series (a temperature creeping to
 *   failure) inflate the residual scale and never beat the spike records, but they do
 *   leave the range. See docs/detection.md.
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
  warmup: number;
  /** Residual, in running scales, that can raise. @default 7 */
  zRaise: number;
  /** Half-life of the recent peak residuals, hours: how long a big move stays "usual". @default 58 */
  peakHalfLifeH: number;
  /** Half-life of the recent peak residuals, reports. @default 693 */
  peakHalfLifePoints: number;
  /** Half-life of the peak residual by hour of day, days. @default 14 */
  hourPeakHalfLifeD: number;
  /** Time from the first report before any alert, seconds (the rhythm is seen once). @default 86400 */
  warmupS: number;
  /** A residual must exceed the recent peak residual divided by this to raise. @default 0.8 */
  qFactor: number;
  /** EWMA weight of the smoothed seasonal residual (level-shift channel). @default 0.3 */
  alphaDrift: number;
  /** Smoothed residual, in seasonal scales, that can mean a level shift. @default 2 */
  zShift: number;
  /** EWMA weight of the local level. @default 0.3 */
  alphaLocal: number;
  /** EWMA weight of the running scales. @default 0.01 */
  alphaScale: number;
  /** Offset of local time from UTC, minutes (hour-of-day and day-of-week are local). @default 0 */
  utcOffsetMin: number;
  /** The peaks' half-life is at least this fraction of the series' age (time and reports). @default 0.25 */
  ageFactor: number;
  /** A value beyond the range seen by this fraction of it is new territory; negative turns it off. @default 0.1 */
  extMargin: number;
  /** ...and by at least this many short-term noise scales (a wandering series' new extreme by a hair is not new territory). @default 2 */
  zExt: number;
  /** ...and the series is at least this old, hours: the range of a young series is still growing, and a week holds its weekly rhythm. @default 168 */
  extMinAgeH: number;
}

export const DEFAULT_STAT_PARAMS: StatParams = {
  minDeviation: 0,
  clearAfterS: 600,
  clearAfterPoints: 12,
  warmup: 200,
  zRaise: 7,
  peakHalfLifeH: 58,
  peakHalfLifePoints: 693,
  hourPeakHalfLifeD: 14,
  warmupS: 86_400,
  qFactor: 0.8,
  alphaDrift: 0.3,
  zShift: 2,
  alphaLocal: 0.3,
  alphaScale: 0.01,
  utcOffsetMin: 0,
  ageFactor: 0.25,
  extMargin: 0.1,
  zExt: 2,
  extMinAgeH: 168,
};

const DAY_SLOTS = 24;
const WEEK_SLOTS = 7 * 24;
/** Days (weeks) seen before a profile slot is trusted. */
const SLOT_MIN_VISITS = 2;
/** Residuals are clipped at this many scales before they update the scale. */
const WINSOR = 4;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Scale floor relative to the level. */
const SCALE_FLOOR = 1e-3;
/** Profile weights per visit (a day for hour-of-day, a week for day-of-week). */
const ALPHA_DAY = 0.3;
const ALPHA_WEEK = 0.5;

/** JSON-serialisable state of one series. */
export interface StatState {
  n: number;
  firstT: number;
  lastT: number;
  local: number;
  localScale: number;
  /** Hourly means by hour of day, and by hour of week as a deviation from the day's. */
  day: number[];
  dayN: number[];
  week: number[];
  weekN: number[];
  seasScale: number;
  /** Recent peak absolute residuals (decaying): what a usual "big" move is. A spike must
   * beat them to raise. */
  localQ: number;
  seasQ: number;
  /** Peak seasonal residual by hour of day, and when each was last updated: a spike that
   * recurs at the same hour every day (a nightly job) is part of the rhythm. */
  hourPeak: number[];
  hourPeakT: number[];
  /** The same for the smoothed residual, so a daily burst is not a daily level shift. */
  hourDriftPeak: number[];
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
  /** Highest and lowest values seen until a day ago (null before; JSON has no infinities). */
  hi: number | null;
  lo: number | null;
  /** Highest and lowest of each of the last 24 hours, by hour of day, with the hour they
   * hold (hours since the epoch): folded into `hi`/`lo` once a day old, so a slow drift
   * is compared with where the series was before it began, not with itself. */
  recentHi: Array<number | null>;
  recentLo: Array<number | null>;
  recentHour: number[];
}

export function createStatState(): StatState {
  return {
    n: 0,
    firstT: 0,
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
    hourPeak: new Array(DAY_SLOTS).fill(0),
    hourPeakT: new Array(DAY_SLOTS).fill(0),
    hourDriftPeak: new Array(DAY_SLOTS).fill(0),
    drift: 0,
    driftPeak: 0,
    active: false,
    lastAnomalyT: 0,
    normalRun: 0,
    hour: -1,
    hourN: 0,
    hourSum: 0,
    hourWeekSum: 0,
    hi: null,
    lo: null,
    recentHi: new Array(DAY_SLOTS).fill(null),
    recentLo: new Array(DAY_SLOTS).fill(null),
    recentHour: new Array(DAY_SLOTS).fill(-1),
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
  if (s.n === 0) {
    s.local = x;
    s.firstT = t;
  }
  // Peaks decay with time or with reports, whichever is slower: a fast reporter is not
  // more trigger-happy, and neither is a slow one.
  // Both half-lives grow with the series' age, so the longer the history, the longer a big
  // move stays "usual".
  const ageH = (t - s.firstT) / HOUR_MS;
  const halfLifeH = Math.max(p.peakHalfLifeH, ageH * p.ageFactor);
  const halfLifePoints = Math.max(p.peakHalfLifePoints, s.n * p.ageFactor);
  const decay = s.n === 0 ? 1 : 0.5 ** Math.min((t - s.lastT) / (halfLifeH * HOUR_MS), 1 / halfLifePoints);
  const hour = Math.floor((t + p.utcOffsetMin * 60_000) / HOUR_MS);
  const h = hour % DAY_SLOTS;
  // 1970-01-01 was a Thursday; slot 0 is Monday 00:00.
  const w = (hour + 3 * 24) % WEEK_SLOTS;

  // Predictions from what was learnt before this sample.
  const localRes = x - s.local;
  const localScale = floorScale(s.localScale, s.local);
  const dayMean = s.day[h] as number;
  const dayOk = (s.dayN[h] as number) >= SLOT_MIN_VISITS;
  const weekOk = dayOk && (s.weekN[w] as number) >= SLOT_MIN_VISITS;
  const seasExpected = dayOk ? dayMean + (weekOk ? (s.week[w] as number) : 0) : s.local;
  const seasRes = x - seasExpected;
  const seasScale = dayOk ? floorScale(s.seasScale, seasExpected) : localScale;
  // A spike surprises both the rhythm and the recent level; a slow drift away from the
  // rhythm only shows in the smoothed residual (drift).
  const zs = seasRes / seasScale;
  const zl = localRes / localScale;
  const hourDecay = 0.5 ** ((t - (s.hourPeakT[h] as number)) / (p.hourPeakHalfLifeD * DAY_MS));
  const hourPeak = (s.hourPeak[h] as number) * hourDecay;
  const qs = Math.max(s.seasQ, seasScale, hourPeak);
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
  const hourDrift = (s.hourDriftPeak[h] as number) * hourDecay;
  const shift =
    dayOk && absDrift >= p.zShift * seasScale && absDrift * p.qFactor >= Math.max(s.driftPeak, hourDrift);
  s.driftPeak = Math.max(absDrift, s.driftPeak * decay);
  if (dayOk) s.hourDriftPeak[h] = Math.max(absDrift, hourDrift);
  const warm = s.n >= p.warmup && t - s.firstT >= p.warmupS * 1000;
  // minDeviation bounds both channels: a spike that small, or a level moved that little,
  // is not worth an officer's time however unusual.
  const bigEnough = Math.abs(res) >= p.minDeviation;
  const shiftOk = shift && absDrift >= p.minDeviation;
  // New territory: beyond everything seen until a day ago, by a margin of that range and of
  // the short-term noise (a slow drift does not inflate the latter).
  const hi = s.hi ?? x;
  const lo = s.lo ?? x;
  const margin = Math.max(p.extMargin * (hi - lo), p.zExt * localScale);
  const outside = p.extMargin >= 0 && hi > lo && (x > hi + margin || x < lo - margin);
  noteExtremes(s, hour, x);
  const extOk = outside && ageH >= p.extMinAgeH && Math.abs(x - seasExpected) >= p.minDeviation;
  const anomalous = warm && ((bigEnough && absZ >= p.zRaise) || shiftOk || extOk);
  result.anomalous = anomalous;
  result.expected = seasExpected;
  const ratio = absZ / p.zRaise;
  result.score = !warm ? 0 : shiftOk || extOk ? 1 : bigEnough ? 1 - 0.5 ** (ratio * ratio) : 0;

  // While raised, a value still far from the rhythm keeps the alert up even when it is no
  // longer a record (a crowd that stays is still a crowd): hysteresis, no flapping.
  const persisting =
    s.active && warm && dayOk && Math.abs(seasRes) >= p.minDeviation && Math.abs(zs) >= p.zRaise;
  if (anomalous || persisting) {
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
  s.localQ = Math.max(Math.abs(localRes), s.localQ * decay);
  s.seasQ = dayOk ? Math.max(Math.abs(seasRes), s.seasQ * decay) : s.localQ;
  if (dayOk) {
    s.hourPeak[h] = Math.max(Math.abs(seasRes), hourPeak);
    s.hourPeakT[h] = t;
  }
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
  s.hourWeekSum += cleaned - (dayOk ? dayMean : cleaned);
  s.n++;
  s.lastT = t;
  return result;
}

/** Keeps `x` among its hour's extremes; hours a day old move into the long-run range. */
function noteExtremes(s: StatState, hour: number, x: number): void {
  // A snapshot from before these fields existed restores without them.
  if (!s.recentHour) {
    s.recentHi = new Array(DAY_SLOTS).fill(null);
    s.recentLo = new Array(DAY_SLOTS).fill(null);
    s.recentHour = new Array(DAY_SLOTS).fill(-1);
  }
  const slot = hour % DAY_SLOTS;
  if (s.recentHour[slot] !== hour) {
    for (let i = 0; i < DAY_SLOTS; i++) {
      const h = s.recentHour[i] as number;
      if (h < 0 || h > hour - DAY_SLOTS) continue;
      const rh = s.recentHi[i];
      const rl = s.recentLo[i];
      if (rh !== null && rh !== undefined) s.hi = Math.max(s.hi ?? rh, rh);
      if (rl !== null && rl !== undefined) s.lo = Math.min(s.lo ?? rl, rl);
      s.recentHi[i] = null;
      s.recentLo[i] = null;
      s.recentHour[i] = -1;
    }
    s.recentHour[slot] = hour;
  }
  s.recentHi[slot] = Math.max(s.recentHi[slot] ?? x, x);
  s.recentLo[slot] = Math.min(s.recentLo[slot] ?? x, x);
}

function commitHour(s: StatState): void {
  if (s.hour < 0 || s.hourN === 0) return;
  const h = s.hour % DAY_SLOTS;
  const w = (s.hour + 3 * 24) % WEEK_SLOTS;
  const day = s.hourSum / s.hourN;
  const week = s.hourWeekSum / s.hourN;
  const dayN = s.dayN[h] as number;
  const weekN = s.weekN[w] as number;
  const dayOld = s.day[h] as number;
  const weekOld = s.week[w] as number;
  s.day[h] = dayN === 0 ? day : dayOld + ALPHA_DAY * (day - dayOld);
  s.dayN[h] = dayN + 1;
  s.week[w] = weekN === 0 ? week : weekOld + ALPHA_WEEK * (week - weekOld);
  s.weekN[w] = weekN + 1;
  s.hourN = 0;
  s.hourSum = 0;
  s.hourWeekSum = 0;
}
