import { SEVERITY_RANK, type Severity } from '@gridwatch/devices';
import type { Config } from '../infra/config.ts';

/** Seconds within which an alert of each severity must be acknowledged. */
export type AckLimits = Record<Severity, number>;

export function ackLimitsFrom(config: Config): AckLimits {
  return {
    critical: config.ACK_LIMIT_CRITICAL_S,
    major: config.ACK_LIMIT_MAJOR_S,
    minor: config.ACK_LIMIT_MINOR_S,
    warning: config.ACK_LIMIT_WARNING_S,
  };
}

/** Epoch ms by which an alert first seen at `firstSeen` must be acknowledged. */
export function ackDueAt(firstSeen: number, severity: Severity, limits: AckLimits): number {
  return firstSeen + limits[severity] * 1000;
}

export function worseSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[b] < SEVERITY_RANK[a] ? b : a;
}
