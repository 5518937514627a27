import { CATALOGUE, CORRELATION_RULES } from '@gridwatch/devices';
import type { DeviceMeta, RuleSet } from './engine.ts';

/** The catalogue's rules over a device directory (the registry's, in the server). */
export function catalogueRuleSet(
  devices: { get(id: string): DeviceMeta | undefined },
  utcOffsetMin = 0,
): RuleSet {
  const kinds = Object.fromEntries(
    Object.values(CATALOGUE).map((spec) => [
      spec.kind,
      { rules: spec.rules, reportingIntervalS: spec.reportingIntervalS },
    ]),
  ) as RuleSet['kinds'];
  return { kinds, correlation: CORRELATION_RULES, device: (id) => devices.get(id), utcOffsetMin };
}

/** Offset of `timeZone` from UTC at `at`, in minutes (Asia/Shanghai: 480). */
export function utcOffsetMinutes(timeZone: string, at = Date.now()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000);
}
