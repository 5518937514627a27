import type { DeviceKind, Severity } from './kinds.ts';

/**
 * Detection rules as data. The server's detection engine interprets them; the catalogue
 * ships defaults per kind. `cause` names the alert a rule raises: one active alert per
 * device and cause.
 */
interface RuleBase {
  /** Stable id, also the alert cause, e.g. `charger-over-temperature`. */
  id: string;
  severity: Severity;
}

/** Raise after `metric` stays beyond `raiseAt` for `forS`; clear after it stays on the other side of `clearAt` for `clearForS` (hysteresis). */
export interface ThresholdRule extends RuleBase {
  type: 'threshold';
  metric: string;
  direction: 'above' | 'below';
  raiseAt: number;
  clearAt: number;
  forS: number;
  clearForS: number;
}

/** Raise when `metric` rises (or falls) faster than `perMinute` over the last `windowS`. */
export interface RateRule extends RuleBase {
  type: 'rate';
  metric: string;
  direction: 'rise' | 'fall';
  perMinute: number;
  windowS: number;
  /** Clears after this long without the rate being exceeded. @default 120 */
  clearAfterS?: number;
}

/** No report for `intervals` reporting intervals, or a last will, means offline. */
export interface SilenceRule extends RuleBase {
  type: 'silence';
  intervals: number;
}

/** An event that is an alert in itself. Clears after `clearAfterS` without a repeat, if set. */
export interface EventRule extends RuleBase {
  type: 'event';
  event: string;
  clearAfterS?: number;
}

/** Statistical detector over a numeric series with no fixed threshold. */
export interface StatisticalRule extends RuleBase {
  type: 'statistical';
  metric: string;
  /** Smallest absolute deviation worth an alert, in the metric's unit. @default 0 */
  minDeviation?: number;
  /** Clears after this long with normal values. @default 600 */
  clearAfterS?: number;
}

export type DeviceRule = ThresholdRule | RateRule | SilenceRule | EventRule | StatisticalRule;

/** Findings of different devices in one compound or grid, within `windowS`, merge into one incident. */
export interface CorrelationRule extends RuleBase {
  type: 'correlation';
  scope: 'compound' | 'grid';
  windowS: number;
  /** Every entry must be matched by a finding of a different device. */
  requires: Array<{ kind: DeviceKind; causes: string[] }>;
}
