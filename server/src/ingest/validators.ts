import { CATALOGUE, type Channel, DEVICE_KINDS, type DeviceKind } from '@gridwatch/devices';
import type { Validator } from 'typebox/compile';
import { Compile } from 'typebox/compile';

export type Validators = Record<DeviceKind, Record<Channel, Validator>>;

/** Compiles every catalogue payload schema once: validation is on the hot path. */
export function compileValidators(): Validators {
  const out = {} as Validators;
  for (const kind of DEVICE_KINDS) {
    const { schemas } = CATALOGUE[kind];
    out[kind] = {
      telemetry: Compile(schemas.telemetry),
      event: Compile(schemas.event),
      status: Compile(schemas.status),
    };
  }
  return out;
}
