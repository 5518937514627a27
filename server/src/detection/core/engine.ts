import { correlate, expireIncidents } from './correlation.ts';
import { comeBack, deviceState, onEvent, onReading, onStatus, tickDevices } from './device-rules.ts';
import type { DetectionInput, EngineState, RuleSet, StepResult } from './model.ts';
import type { Finding } from './types.ts';

export { statParams } from './device-rules.ts';
export {
  createEngineState,
  type DetectionInput,
  type DeviceMeta,
  type DeviceState,
  type EngineState,
  type RuleSet,
  type StepResult,
} from './model.ts';

/**
 * The detection engine: `(state, input, rules, now) → { state, findings }`. Pure: no I/O,
 * the clock is an argument. This folder (core/) is the whole of it: per-device rules in
 * device-rules.ts, cross-device correlation in correlation.ts, the statistical detector in
 * statistical.ts, its data in model.ts. The feeder (queue, clock), the state repository and
 * the CLI live outside, one folder up; purity.test.ts keeps I/O out of here.
 */

/** Feeds one input to the engine at engine time `now` (epoch ms). */
export function step(state: EngineState, input: DetectionInput, rules: RuleSet, now: number): StepResult {
  const findings: Finding[] = [];
  if (input.type === 'tick') {
    tickDevices(state, rules, now, findings);
    expireIncidents(state, rules, now, findings);
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
