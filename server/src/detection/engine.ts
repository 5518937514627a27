import {
  CAUSE_LABELS,
  type CorrelationRule,
  type DeviceKind,
  type DeviceRule,
  type EventRule,
  type RateRule,
  type StatisticalRule,
  type ThresholdRule,
} from '@gridwatch/devices';
import {
  createStatState,
  DEFAULT_STAT_PARAMS,
  type StatParams,
  type StatState,
  stepStat,
} from './statistical.ts';
import type { Finding } from './types.ts';

/**
 * The detection engine: `(state, input, rules, now) → { state, findings }`. Pure: no I/O,
 * the clock is an argument. The state is plain JSON (snapshot with JSON.stringify, restore
 * with JSON.parse) and is updated in place, which keeps the hot path free of copies.
 */

/** What the engine knows of a device: its kind and where it stands (for correlation). */
export interface DeviceMeta {
  id: string;
  kind: DeviceKind;
  site: string | null;
  gridId: string | null;
}

export type DetectionInput =
  | { type: 'reading'; deviceId: string; ts: number; data: Readonly<Record<string, unknown>> }
  | { type: 'event'; deviceId: string; ts: number; event: string }
  | { type: 'status'; deviceId: string; at: number; online: boolean; reason: string | null }
  | { type: 'tick' };

/** The rules in force, per kind, and how often each kind reports. */
export interface RuleSet {
  kinds: Record<DeviceKind, { rules: DeviceRule[]; reportingIntervalS: number }>;
  correlation: CorrelationRule[];
  /** Looks a device up; unknown devices are ignored. */
  device(id: string): DeviceMeta | undefined;
  /** Local time offset for the statistical detector's daily rhythm. @default 0 */
  utcOffsetMin?: number;
}

interface ThresholdState {
  active: boolean;
  since: number | null;
  /** Device time of the newest reading used; older ones arriving late are ignored. */
  lastTs: number;
}
interface RateState {
  active: boolean;
  /** [ts, value] pairs inside the window, oldest first. */
  samples: Array<[number, number]>;
  lastExceedAt: number;
}
interface EventState {
  active: boolean;
  lastAt: number;
}
interface StatRuleState {
  stat: StatState;
}
type RuleState = ThresholdState | RateState | EventState | StatRuleState;

export interface DeviceState {
  /** Engine clock of the last report of any kind; null until the first. */
  lastSeen: number | null;
  offline: boolean;
  rules: Record<string, RuleState>;
}

/** A raise kept for correlation. */
interface RecentRaise {
  deviceId: string;
  kind: DeviceKind;
  cause: string;
  scope: { compound: string | null; grid: string | null };
  at: number;
  /** Engine clock when it was seen. */
  seenAt: number;
}

interface IncidentState {
  rule: string;
  scopeKey: string;
  deviceIds: string[];
  lastAt: number;
}

export interface EngineState {
  devices: Record<string, DeviceState>;
  recent: RecentRaise[];
  incidents: IncidentState[];
}

export function createEngineState(): EngineState {
  return { devices: {}, recent: [], incidents: [] };
}

export interface StepResult {
  state: EngineState;
  findings: Finding[];
}

/** Most samples a rate rule keeps: enough for a minute at one report a second. */
const RATE_MAX_SAMPLES = 64;
const RATE_CLEAR_DEFAULT_S = 120;
const STAT_CLEAR_DEFAULT_S = 600;

function label(cause: string): string {
  const l = CAUSE_LABELS[cause];
  return l ? `${l['zh-CN']} / ${l.en}` : cause;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function deviceState(state: EngineState, id: string): DeviceState {
  let d = state.devices[id];
  if (!d) {
    d = { lastSeen: null, offline: false, rules: {} };
    state.devices[id] = d;
  }
  return d;
}

/** Feeds one input to the engine at engine time `now` (epoch ms). */
export function step(state: EngineState, input: DetectionInput, rules: RuleSet, now: number): StepResult {
  const findings: Finding[] = [];
  if (input.type === 'tick') {
    tick(state, rules, now, findings);
  } else {
    const meta = rules.device(input.deviceId);
    if (meta) {
      const spec = rules.kinds[meta.kind];
      const d = deviceState(state, meta.id);
      if (input.type === 'status') onStatus(d, meta, spec.rules, input, now, findings);
      else {
        d.lastSeen = now;
        comeBack(d, meta, spec.rules, input.ts, findings);
        if (input.type === 'reading') onReading(d, meta, spec.rules, input, rules, now, findings);
        else onEvent(d, meta, spec.rules, input, now, findings);
      }
    }
  }
  if (findings.length > 0 && rules.correlation.length > 0) correlate(state, rules, findings, now);
  return { state, findings };
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

function onStatus(
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
function comeBack(
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

function onReading(
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

function onEvent(
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

/** Time passes: silence, timed clears of events and rates, incident expiry. */
function tick(state: EngineState, rules: RuleSet, now: number, out: Finding[]): void {
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
  expireIncidents(state, rules, now, out);
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

function scopeKey(rule: CorrelationRule, r: RecentRaise): string | null {
  const key = rule.scope === 'compound' ? r.scope.compound : r.scope.grid;
  return key ? `${rule.scope}:${key}` : null;
}

/** Raises of different devices in one compound or grid within a window become one incident. */
function correlate(state: EngineState, rules: RuleSet, findings: Finding[], now: number): void {
  const maxWindowMs = Math.max(...rules.correlation.map((r) => r.windowS)) * 1000;
  state.recent = state.recent.filter((r) => now - r.seenAt <= maxWindowMs);
  const incoming: RecentRaise[] = [];
  for (const f of findings) {
    if (f.action !== 'raise') continue;
    const meta = rules.device(f.deviceId);
    if (!meta) continue;
    const r: RecentRaise = {
      deviceId: meta.id,
      kind: meta.kind,
      cause: f.cause,
      scope: { compound: meta.site, grid: meta.gridId },
      at: f.at,
      seenAt: now,
    };
    state.recent.push(r);
    incoming.push(r);
  }
  for (const r of incoming) {
    for (const rule of rules.correlation) {
      const key = scopeKey(rule, r);
      if (!key || !rule.requires.some((q) => q.kind === r.kind && q.causes.includes(r.cause))) continue;
      const windowMs = rule.windowS * 1000;
      const pool = state.recent.filter((o) => now - o.seenAt <= windowMs && scopeKey(rule, o) === key);
      const members = matchAll(rule, pool);
      if (!members) continue;
      const open = state.incidents.find((i) => i.rule === rule.id && i.scopeKey === key);
      if (open) {
        open.lastAt = now;
        const added = members.filter((m) => !open.deviceIds.includes(m.deviceId));
        if (added.length === 0) continue;
        open.deviceIds.push(...added.map((m) => m.deviceId));
      } else {
        state.incidents.push({
          rule: rule.id,
          scopeKey: key,
          deviceIds: members.map((m) => m.deviceId),
          lastAt: now,
        });
      }
      const incident = state.incidents.find((i) => i.rule === rule.id && i.scopeKey === key) as IncidentState;
      findings.push({
        action: 'raise',
        cause: rule.id,
        severity: rule.severity,
        deviceId: incident.deviceIds[0] as string,
        deviceIds: [...incident.deviceIds],
        at: r.at,
        message: `${label(rule.id)}: ${pool
          .filter((m) => incident.deviceIds.includes(m.deviceId))
          .map((m) => `${m.deviceId} ${label(m.cause)}`)
          .filter((v, i, a) => a.indexOf(v) === i)
          .join('; ')}`,
      });
    }
  }
}

/**
 * When every requirement is met by a raise of a different device, returns every device's
 * first matching raise, earliest first; otherwise null.
 */
function matchAll(rule: CorrelationRule, pool: RecentRaise[]): RecentRaise[] | null {
  const sorted = [...pool].sort((a, b) => a.seenAt - b.seenAt || a.at - b.at);
  const used = new Set<string>();
  for (const req of rule.requires) {
    const m = sorted.find(
      (o) => o.kind === req.kind && req.causes.includes(o.cause) && !used.has(o.deviceId),
    );
    if (!m) return null;
    used.add(m.deviceId);
  }
  const members: RecentRaise[] = [];
  const seen = new Set<string>();
  for (const o of sorted) {
    if (seen.has(o.deviceId)) continue;
    if (!rule.requires.some((q) => q.kind === o.kind && q.causes.includes(o.cause))) continue;
    seen.add(o.deviceId);
    members.push(o);
  }
  return members;
}

/** An incident ends a window after its last contributing raise. */
function expireIncidents(state: EngineState, rules: RuleSet, now: number, out: Finding[]): void {
  if (state.incidents.length === 0) return;
  state.incidents = state.incidents.filter((i) => {
    const rule = rules.correlation.find((r) => r.id === i.rule);
    if (rule && now - i.lastAt < rule.windowS * 1000) return true;
    out.push({
      action: 'clear',
      cause: i.rule,
      severity: rule?.severity ?? 'critical',
      deviceId: i.deviceIds[0] as string,
      deviceIds: [...i.deviceIds],
      at: now,
      message: label(i.rule),
    });
    return false;
  });
}
