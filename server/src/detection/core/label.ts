import { CAUSE_LABELS } from '@gridwatch/devices';

/** A cause's label, zh-CN first then English; the cause itself when it has none. */
export function label(cause: string): string {
  const l = CAUSE_LABELS[cause];
  return l ? `${l['zh-CN']} / ${l.en}` : cause;
}

/** Two decimals, for values shown in messages. */
export function round(v: number): number {
  return Math.round(v * 100) / 100;
}
