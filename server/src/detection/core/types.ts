import type { Severity } from '@gridwatch/devices';

/**
 * What detection tells the alert service. `raise` for a condition that starts (or
 * repeats), `clear` when it ends by itself. One open alert exists per (deviceId, cause).
 */
export interface Finding {
  action: 'raise' | 'clear';
  /** Rule id: the alert's cause. */
  cause: string;
  severity: Severity;
  deviceId: string;
  /** Every device involved, for correlated incidents; defaults to `[deviceId]`. */
  deviceIds?: string[];
  /** Epoch ms of the reading or event that decided it. */
  at: number;
  /** Human-readable, zh-CN first: shown on the wall and in the console. */
  message: string;
  value?: number;
}
