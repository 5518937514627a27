import {
  type AnyEvent,
  type AnyTelemetry,
  type DeviceKind,
  type DeviceStatus,
  parseTopic,
} from '@gridwatch/devices';
import type { Validators } from './validators.ts';

/** Why a message can never be stored; the `reason` column of `dead_letters`. */
export type DeadLetterReason =
  | 'bad-topic'
  | 'unknown-kind'
  | 'bad-device-id'
  | 'unknown-channel'
  | 'payload-too-large'
  | 'bad-json'
  | 'schema-violation'
  | 'unknown-device'
  | 'kind-mismatch'
  | 'future-timestamp'
  | 'past-timestamp'
  | 'rejected-by-database';

export interface TelemetryMessage {
  channel: 'telemetry';
  kind: DeviceKind;
  deviceId: string;
  ts: number;
  seq: number;
  data: AnyTelemetry;
}

export interface EventMessage {
  channel: 'event';
  kind: DeviceKind;
  deviceId: string;
  ts: number;
  seq: number;
  type: string;
  data: AnyEvent;
}

export interface StatusMessage {
  channel: 'status';
  kind: DeviceKind;
  deviceId: string;
  online: boolean;
  /** Epoch ms: the status's own `ts`, else when it was received. */
  at: number;
  reason: string | null;
}

export type DeviceMessage = TelemetryMessage | EventMessage | StatusMessage;

export interface Rejection {
  reason: DeadLetterReason;
  detail: string;
  deviceId: string | null;
}

export type DecodeResult = { ok: true; message: DeviceMessage } | { ok: false; rejection: Rejection };

export interface DecodeLimits {
  maxPayloadBytes: number;
  maxFutureMs: number;
  /** Readings and events older than this are refused (a clock never set reports 1970). */
  maxAgeMs: number;
}

const reject = (reason: DeadLetterReason, detail: string, deviceId: string | null = null): DecodeResult => ({
  ok: false,
  rejection: { reason, detail, deviceId },
});

/**
 * Turns one MQTT message into a device message, or says why it can never be stored.
 * Pure: the device check is separate (`checkDevice`) so the caller can confirm an
 * unknown id against the database before dead-lettering it.
 */
export function decodePayload(
  topic: string,
  payload: Uint8Array,
  validators: Validators,
  limits: DecodeLimits,
  now: number,
): DecodeResult {
  const parsed = parseTopic(topic);
  if ('error' in parsed) return reject(parsed.error, 'topic is not gw/{kind}/{deviceId}/{channel}');
  const { kind, deviceId, channel } = parsed;
  if (payload.byteLength > limits.maxPayloadBytes) {
    return reject('payload-too-large', `${payload.byteLength} bytes > ${limits.maxPayloadBytes}`, deviceId);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    return reject('bad-json', (err as Error).message.slice(0, 200), deviceId);
  }
  const validator = validators[kind][channel];
  if (!validator.Check(value)) {
    const first = validator.Errors(value)[0];
    const detail = first ? `${first.instancePath || '/'} ${first.message}` : 'does not match the schema';
    return reject('schema-violation', `${kind} ${channel}: ${detail}`.slice(0, 500), deviceId);
  }
  const ts = (value as { ts?: number }).ts;
  if (ts !== undefined && ts > now + limits.maxFutureMs) {
    return reject(
      'future-timestamp',
      `ts ${new Date(ts).toISOString()} is ${Math.round((ts - now) / 1000)} s ahead of the server`,
      deviceId,
    );
  }
  // Only readings and events: a retained status is legitimately as old as the device's absence.
  if (channel !== 'status' && ts !== undefined && ts < now - limits.maxAgeMs) {
    return reject(
      'past-timestamp',
      `ts ${new Date(ts).toISOString()} is ${Math.round((now - ts) / 1000)} s behind the server (limit ${Math.round(limits.maxAgeMs / 1000)} s)`,
      deviceId,
    );
  }
  if (channel === 'telemetry') {
    const data = value as AnyTelemetry;
    return { ok: true, message: { channel, kind, deviceId, ts: data.ts, seq: data.seq, data } };
  }
  if (channel === 'event') {
    const data = value as AnyEvent;
    return {
      ok: true,
      message: { channel, kind, deviceId, ts: data.ts, seq: data.seq, type: data.type, data },
    };
  }
  const status = value as DeviceStatus;
  return {
    ok: true,
    message: {
      channel,
      kind,
      deviceId,
      online: status.state === 'online',
      at: status.ts ?? now,
      reason: status.reason ?? null,
    },
  };
}

/** The device must exist and be of the kind its topic says. `known` is its kind, if any. */
export function checkDevice(message: DeviceMessage, known: DeviceKind | undefined): Rejection | null {
  if (known === undefined) {
    return { reason: 'unknown-device', detail: 'no such device', deviceId: message.deviceId };
  }
  if (known !== message.kind) {
    return {
      reason: 'kind-mismatch',
      detail: `device is a ${known}, topic says ${message.kind}`,
      deviceId: message.deviceId,
    };
  }
  return null;
}
