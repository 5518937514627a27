import type { DeviceKind } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { checkDevice, type DeadLetterReason, decodePayload } from './decode.ts';
import { compileValidators } from './validators.ts';

const NOW = Date.UTC(2026, 5, 1, 8, 0, 0);
const WEEK = 7 * 86_400_000;
const limits = { maxPayloadBytes: 1024, maxFutureMs: 300_000, maxAgeMs: WEEK };
const validators = compileValidators();

/** Builders: a valid payload of each kind and channel, with overrides. */
const aCameraReading = (over: Record<string, unknown> = {}) => ({
  ts: NOW - 1000,
  seq: 1,
  fps: 25,
  bitrateKbps: 4096,
  storageUsedPct: 40,
  temperatureC: 35,
  peopleCount: 3,
  ...over,
});
const aChargerEvent = (over: Record<string, unknown> = {}) => ({
  ts: NOW,
  seq: 2,
  type: 'smoke',
  port: 3,
  ...over,
});
const aStatus = (over: Record<string, unknown> = {}) => ({ state: 'online', ...over });

const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const decode = (topic: string, payload: unknown) =>
  decodePayload(topic, bytes(payload), validators, limits, NOW);

describe('decodePayload: what is refused, and why', () => {
  const cases: Array<[string, string, unknown, DeadLetterReason, string | null]> = [
    ['topic outside gw/', 'other/camera/cam-1/telemetry', aCameraReading(), 'bad-topic', null],
    ['topic too deep', 'gw/camera/cam-1/telemetry/x', aCameraReading(), 'bad-topic', null],
    ['unknown kind', 'gw/toaster/cam-1/telemetry', aCameraReading(), 'unknown-kind', null],
    [
      'SQL in the device id',
      "gw/camera/x';DROP TABLE devices;--/telemetry",
      aCameraReading(),
      'bad-device-id',
      null,
    ],
    [
      'HTML in the device id',
      'gw/camera/<script>alert(1)</script>/telemetry',
      aCameraReading(),
      'bad-topic',
      null,
    ],
    [
      'HTML without slash in the id',
      'gw/camera/<img src=x onerror=alert(1)>/telemetry',
      aCameraReading(),
      'bad-device-id',
      null,
    ],
    ['device id too long', `gw/camera/${'a'.repeat(65)}/telemetry`, aCameraReading(), 'bad-device-id', null],
    ['unknown channel', 'gw/camera/cam-1/config', aCameraReading(), 'unknown-channel', null],
    ['payload over the limit', 'gw/camera/cam-1/telemetry', 'x'.repeat(1025), 'payload-too-large', 'cam-1'],
    ['malformed JSON', 'gw/camera/cam-1/telemetry', '{"ts": 1,', 'bad-json', 'cam-1'],
    ['empty payload', 'gw/camera/cam-1/telemetry', '', 'bad-json', 'cam-1'],
    ['JSON of the wrong shape', 'gw/camera/cam-1/telemetry', [1, 2, 3], 'schema-violation', 'cam-1'],
    ['missing field', 'gw/camera/cam-1/telemetry', { ts: NOW, seq: 1 }, 'schema-violation', 'cam-1'],
    [
      'field out of range',
      'gw/camera/cam-1/telemetry',
      aCameraReading({ fps: -1 }),
      'schema-violation',
      'cam-1',
    ],
    [
      'extra field',
      'gw/camera/cam-1/telemetry',
      aCameraReading({ hacked: true }),
      'schema-violation',
      'cam-1',
    ],
    [
      'string where a number goes',
      'gw/camera/cam-1/telemetry',
      aCameraReading({ temperatureC: '35' }),
      'schema-violation',
      'cam-1',
    ],
    ['negative seq', 'gw/camera/cam-1/telemetry', aCameraReading({ seq: -1 }), 'schema-violation', 'cam-1'],
    ['fractional ts', 'gw/camera/cam-1/telemetry', aCameraReading({ ts: 1.5 }), 'schema-violation', 'cam-1'],
    [
      'telemetry of another kind',
      'gw/charger/chg-1/telemetry',
      aCameraReading(),
      'schema-violation',
      'chg-1',
    ],
    [
      'event type of another kind',
      'gw/charger/chg-1/event',
      aChargerEvent({ type: 'tamper' }),
      'schema-violation',
      'chg-1',
    ],
    [
      'unknown status state',
      'gw/locker/lck-1/status',
      aStatus({ state: 'sleeping' }),
      'schema-violation',
      'lck-1',
    ],
    [
      'reading a year ahead',
      'gw/camera/cam-1/telemetry',
      aCameraReading({ ts: NOW + 365 * 86_400_000 }),
      'future-timestamp',
      'cam-1',
    ],
    [
      'event just past the limit',
      'gw/charger/chg-1/event',
      aChargerEvent({ ts: NOW + 300_001 }),
      'future-timestamp',
      'chg-1',
    ],
    [
      'reading from 1970 (clock never set)',
      'gw/camera/cam-1/telemetry',
      aCameraReading({ ts: 0 }),
      'past-timestamp',
      'cam-1',
    ],
    [
      'event just older than the age limit',
      'gw/charger/chg-1/event',
      aChargerEvent({ ts: NOW - WEEK - 1 }),
      'past-timestamp',
      'chg-1',
    ],
    [
      'energy no meter can show',
      'gw/charger/chg-1/telemetry',
      {
        ts: NOW,
        seq: 1,
        voltageV: 220,
        currentA: 1,
        powerKw: 0.2,
        energyKwh: 1e308,
        temperatureC: 30,
        leakageMa: 1,
        ports: [],
      },
      'schema-violation',
      'chg-1',
    ],
  ];

  it.each(cases)('%s → %s', (_name, topic, payload, reason, deviceId) => {
    const result = decode(topic, payload);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.reason).toBe(reason);
    expect(result.rejection.deviceId).toBe(deviceId);
    expect(result.rejection.detail.length).toBeGreaterThan(0);
  });

  it('says which field broke the schema', () => {
    const result = decode('gw/camera/cam-1/telemetry', aCameraReading({ fps: 'fast' }));
    expect(result.ok || result.rejection.detail).toMatch(/fps/);
  });
});

describe('decodePayload: what is accepted', () => {
  it('telemetry keeps ts, seq and the whole reading', () => {
    const reading = aCameraReading({ seq: 42 });
    const result = decode('gw/camera/cam-1/telemetry', reading);
    expect(result).toEqual({
      ok: true,
      message: {
        channel: 'telemetry',
        kind: 'camera',
        deviceId: 'cam-1',
        ts: reading.ts,
        seq: 42,
        data: reading,
      },
    });
  });

  it('an event carries its type; HTML in its detail is kept as text', () => {
    const event = aChargerEvent({ detail: '<script>alert(1)</script>' });
    const result = decode('gw/charger/chg-1/event', event);
    expect(result.ok && result.message).toMatchObject({ channel: 'event', type: 'smoke', data: event });
  });

  it('a reading at the future limit is accepted', () => {
    expect(decode('gw/camera/cam-1/telemetry', aCameraReading({ ts: NOW + 300_000 })).ok).toBe(true);
  });

  it('a reading at the age limit is accepted, and an old retained status too', () => {
    expect(decode('gw/camera/cam-1/telemetry', aCameraReading({ ts: NOW - WEEK })).ok).toBe(true);
    expect(decode('gw/locker/lck-1/status', aStatus({ ts: NOW - 30 * 86_400_000 })).ok).toBe(true);
  });

  it('says how far behind a refused time is', () => {
    const result = decode('gw/camera/cam-1/telemetry', aCameraReading({ ts: 0 }));
    expect(result.ok || result.rejection.detail).toMatch(/^ts 1970-01-01T00:00:00.000Z is \d+ s behind/);
  });

  it.each([
    ['retained online', aStatus({ ts: NOW - 5 }), true, NOW - 5, null],
    ['last will', { state: 'offline', reason: 'last-will' }, false, NOW, 'last-will'],
  ])('status: %s', (_name, payload, online, at, reason) => {
    const result = decode('gw/locker/lck-1/status', payload);
    expect(result.ok && result.message).toEqual({
      channel: 'status',
      kind: 'locker',
      deviceId: 'lck-1',
      online,
      at,
      reason,
    });
  });
});

describe('checkDevice', () => {
  const message = {
    channel: 'status',
    kind: 'camera',
    deviceId: 'cam-1',
    online: true,
    at: NOW,
    reason: null,
  } as const;
  it.each<[string, DeviceKind | undefined, DeadLetterReason | null]>([
    ['known, same kind', 'camera', null],
    ['unknown', undefined, 'unknown-device'],
    ['known as another kind', 'charger', 'kind-mismatch'],
  ])('%s → %s', (_name, known, reason) => {
    expect(checkDevice(message, known)?.reason ?? null).toBe(reason);
  });
});
