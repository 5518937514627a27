import type { CorrelationRule, DeviceKind, DeviceRule } from '@gridwatch/devices';
import type { StatState } from './statistical.ts';
import type { Finding } from './types.ts';

/**
 * The detection engine's data: what it is fed, the rules it runs, and its state. The
 * state is plain JSON (snapshot with JSON.stringify, restore with JSON.parse) and is
 * updated in place, which keeps the hot path free of copies.
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

export interface ThresholdState {
  active: boolean;
  since: number | null;
  /** Device time of the newest reading used; older ones arriving late are ignored. */
  lastTs: number;
}
export interface RateState {
  active: boolean;
  /** [ts, value] pairs inside the window, oldest first. */
  samples: Array<[number, number]>;
  lastExceedAt: number;
}
export interface EventState {
  active: boolean;
  lastAt: number;
}
export interface StatRuleState {
  stat: StatState;
}
export type RuleState = ThresholdState | RateState | EventState | StatRuleState;

export interface DeviceState {
  /** Engine clock of the last report of any kind; null until the first. */
  lastSeen: number | null;
  offline: boolean;
  rules: Record<string, RuleState>;
}

/** A raise kept for correlation. */
export interface RecentRaise {
  deviceId: string;
  kind: DeviceKind;
  cause: string;
  scope: { compound: string | null; grid: string | null };
  at: number;
  /** Engine clock when it was seen. */
  seenAt: number;
}

export interface IncidentState {
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
