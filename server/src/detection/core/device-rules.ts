import type { DeviceRule, EventRule, RateRule, StatisticalRule, ThresholdRule } from '@gridwatch/devices';
import { label, round } from './label.ts';
import type {
  DetectionInput,
  DeviceMeta,
  DeviceState,
  EngineState,
  EventState,
  RateState,
  RuleSet,
  StatRuleState,
  ThresholdState,
} from './model.ts';
import { createStatState, DEFAULT_STAT_PARAMS, type StatParams, stepStat } from './statistical.ts';
import type { Finding } from './types.ts';

/**
 * Per-device rules: threshold (with hold time and hysteresis), rate of change,
 * statistical, events, and silence (offline). Each works on one device's state only;
 * correlation across devices is in correlation.ts.
 */

/** Most samples a rate rule keeps: enough for a minute at one report a second. */
const RATE_MAX_SAMPLES = 64;
const RATE_CLEAR_DEFAULT_S = 120;
const STAT_CLEAR_DEFAULT_S = 600;

export function deviceState(state: EngineState, id: string): DeviceState {
  let d = state.devices[id];
  if (!d) {
    d = { lastSeen: null, offline: false, rules: {} };
    state.devices[id] = d;
  }
  return d;
}

function raise(meta: DeviceMeta, rule: DeviceRule, at: number, detail: string, value?: number): Finding {
  const finding: Finding = {
    action: 'raise',
    cause: rule.id,
    severity: rule.severity,
    deviceId: meta.id,
    at,
    message: detail ? `${label(rule.id)}: ${detail}` : label(rule.id),
  };
  if (value !== undefined) finding.value = round(value);
  return finding;
}

function clear(meta: DeviceMeta, rule: DeviceRule, at: number): Finding {
  return {
    action: 'clear',
    cause: rule.id,
    severity: rule.severity,
    deviceId: meta.id,
    at,
    message: label(rule.id),
  };
}

export function onStatus(
  d: DeviceState,
  meta: DeviceMeta,
  deviceRules: DeviceRule[],
  input: Extract<DetectionInput, { type: 'status' }>,
  now: number,
  out: Finding[],
): void {
  d.lastSeen = now;
  if (input.online) {
    comeBack(d, meta, deviceRules, input.at, out);
    return;
  }
  const rule = deviceRules.find((r) => r.type === 'silence');
  if (!rule || d.offline) return;
  d.offline = true;
  const why =
    input.reason === 'last-will'
      ? '连接中断（遗嘱消息） / connection lost (last will)'
      : (input.reason ?? '');
  out.push(raise(meta, rule, input.at, why));
}

/** Any sign of life clears an offline alert. */
export function comeBack(
  d: DeviceState,
  meta: DeviceMeta,
  deviceRules: DeviceRule[],
  at: number,
  out: Finding[],
): void {
  if (!d.offline) return;
  d.offline = false;
  const rule = deviceRules.find((r) => r.type === 'silence');
  if (rule) out.push(clear(meta, rule, at));
}

function numeric(data: Readonly<Record<string, unknown>>, metric: string): number | undefined {
  const v = data[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function onReading(
  d: DeviceState,
  meta: DeviceMeta,
  deviceRules: DeviceRule[],
  input: Extract<DetectionInput, { type: 'reading' }>,
  rules: RuleSet,
  now: number,
  out: Finding[],
): void {
  for (const rule of deviceRules) {
    if (rule.type === 'threshold') {
      const v = numeric(input.data, rule.metric);
      if (v !== undefined) stepThreshold(d, meta, rule, input.ts, v, out);
    } else if (rule.type === 'rate') {
      const v = numeric(input.data, rule.metric);
      if (v !== undefined) stepRate(d, meta, rule, input.ts, v, now, out);
    } else if (rule.type === 'statistical') {
      const v = numeric(input.data, rule.metric);
      if (v !== undefined) stepStatistical(d, meta, rule, input.ts, v, rules.utcOffsetMin ?? 0, out);
    }
  }
}

function stepThreshold(
  d: DeviceState,
  meta: DeviceMeta,
  rule: ThresholdRule,
  ts: number,
  v: number,
  out: Finding[],
): void {
  let s = d.rules[rule.id] as ThresholdState | undefined;
  if (!s) {
    s = { active: false, since: null, lastTs: 0 };
    d.rules[rule.id] = s;
  }
  if (ts < s.lastTs) return;
  s.lastTs = ts;
  const above = rule.direction === 'above';
  if (!s.active) {
    const beyond = above ? v > rule.raiseAt : v < rule.raiseAt;
    if (!beyond) {
      s.since = null;
      return;
    }
    s.since ??= ts;
    if (ts - s.since >= rule.forS * 1000) {
      s.active = true;
      s.since = null;
      const unit = above ? '>' : '<';
      out.push(raise(meta, rule, ts, `${round(v)} (${unit} ${rule.raiseAt})`, v));
    }
    return;
  }
  // Hysteresis: only values past `clearAt` count towards clearing.
  const back = above ? v < rule.clearAt : v > rule.clearAt;
  if (!back) {
    s.since = null;
    return;
  }
  s.since ??= ts;
  if (ts - s.since >= rule.clearForS * 1000) {
    s.active = false;
    s.since = null;
    out.push(clear(meta, rule, ts));
  }
}

function stepRate(
  d: DeviceState,
  meta: DeviceMeta,
  rule: RateRule,
  ts: number,
  v: number,
  now: number,
  out: Finding[],
): void {
  let s = d.rules[rule.id] as RateState | undefined;
  if (!s) {
    s = { active: false, samples: [], lastExceedAt: 0 };
    d.rules[rule.id] = s;
  }
  const windowMs = rule.windowS * 1000;
  const samples = s.samples;
  const newest = samples[samples.length - 1];
  if (newest && ts < newest[0]) return; // late and out of order: the window has moved on
  while (samples.length > 0 && ts - (samples[0] as [number, number])[0] > windowMs) samples.shift();
  if (samples.length >= RATE_MAX_SAMPLES) samples.shift();
  const first = samples[0];
  samples.push([ts, v]);
  // Rates over less than half the window are noise (two close readings).
  if (!first || ts - first[0] < windowMs / 2) return;
  const perMinute = ((v - first[1]) / (ts - first[0])) * 60_000;
  const exceeded = rule.direction === 'rise' ? perMinute >= rule.perMinute : perMinute <= -rule.perMinute;
  if (!exceeded) return;
  s.lastExceedAt = now;
  if (!s.active) {
    s.active = true;
    out.push(raise(meta, rule, ts, `${round(perMinute)}/min`, perMinute));
  }
}

function stepStatistical(
  d: DeviceState,
  meta: DeviceMeta,
  rule: StatisticalRule,
  ts: number,
  v: number,
  utcOffsetMin: number,
  out: Finding[],
): void {
  let s = d.rules[rule.id] as StatRuleState | undefined;
  if (!s) {
    s = { stat: createStatState() };
    d.rules[rule.id] = s;
  }
  const r = stepStat(s.stat, statParams(rule, utcOffsetMin), ts, v);
  if (r.raise) out.push(raise(meta, rule, ts, `${round(v)} (≈${round(r.expected)})`, v));
  else if (r.clear) out.push(clear(meta, rule, ts));
}

const paramsCache = new WeakMap<StatisticalRule, Map<number, StatParams>>();

/** The detector parameters a statistical rule runs with; the CLI uses the same function. */
export function statParams(
  rule: Pick<StatisticalRule, 'minDeviation' | 'clearAfterS'>,
  utcOffsetMin = 0,
): StatParams {
  const make = (): StatParams => ({
    ...DEFAULT_STAT_PARAMS,
    minDeviation: rule.minDeviation ?? 0,
    clearAfterS: rule.clearAfterS ?? STAT_CLEAR_DEFAULT_S,
    utcOffsetMin,
  });
  // Rules are long-lived catalogue objects: build their parameters once, not per reading.
  const key = rule as StatisticalRule;
  let byOffset = paramsCache.get(key);
  if (!byOffset) {
    byOffset = new Map();
    paramsCache.set(key, byOffset);
  }
  let params = byOffset.get(utcOffsetMin);
  if (!params) {
    params = make();
    byOffset.set(utcOffsetMin, params);
  }
  return params;
}

export function onEvent(
  d: DeviceState,
  meta: DeviceMeta,
  deviceRules: DeviceRule[],
  input: Extract<DetectionInput, { type: 'event' }>,
  now: number,
  out: Finding[],
): void {
  for (const rule of deviceRules) {
    if (rule.type !== 'event' || rule.event !== input.event) continue;
    const s = (d.rules[rule.id] as EventState | undefined) ?? { active: false, lastAt: 0 };
    d.rules[rule.id] = s;
    s.active = true;
    s.lastAt = now;
    // Every occurrence raises: the alert service counts repeats on the open alert.
    out.push(raise(meta, rule, input.ts, ''));
  }
}

/** Time passes for every device: silence, timed clears of events and rates. */
export function tickDevices(state: EngineState, rules: RuleSet, now: number, out: Finding[]): void {
  for (const [id, d] of Object.entries(state.devices)) {
    const meta = rules.device(id);
    if (!meta) continue;
    const spec = rules.kinds[meta.kind];
    for (const rule of spec.rules) {
      if (rule.type === 'silence') {
        if (
          !d.offline &&
          d.lastSeen !== null &&
          now - d.lastSeen > rule.intervals * spec.reportingIntervalS * 1000
        ) {
          d.offline = true;
          out.push(
            raise(meta, rule, now, `${rule.intervals} × ${spec.reportingIntervalS} s 无上报 / no report`),
          );
        }
      } else if (rule.type === 'event') {
        timedClear(d.rules[rule.id] as EventState | undefined, rule, meta, now, out);
      } else if (rule.type === 'rate') {
        const s = d.rules[rule.id] as RateState | undefined;
        if (s?.active && now - s.lastExceedAt >= (rule.clearAfterS ?? RATE_CLEAR_DEFAULT_S) * 1000) {
          s.active = false;
          out.push(clear(meta, rule, now));
        }
      }
    }
  }
}

function timedClear(
  s: EventState | undefined,
  rule: EventRule,
  meta: DeviceMeta,
  now: number,
  out: Finding[],
): void {
  if (!s?.active || rule.clearAfterS === undefined) return;
  if (now - s.lastAt >= rule.clearAfterS * 1000) {
    s.active = false;
    out.push(clear(meta, rule, now));
  }
}
