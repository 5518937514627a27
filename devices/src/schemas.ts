import { type Static, Type } from 'typebox';

/**
 * Payload schemas, one per kind and channel. Every payload carries `ts` (epoch ms, device
 * clock) and `seq` (a per-device counter); together with the device id they make a
 * reading's identity, so a redelivered message stores nothing twice.
 */
/**
 * Every numeric field is bounded by what such a device can physically report (the table in
 * docs/device-payloads.md): a value outside is a broken device or a forged message, and the
 * database could not even aggregate some of them (an `energyKwh` of 1e308 overflowed every
 * average it joined). The server checks how far `ts` may be from its own clock.
 */
const Ts = Type.Integer({
  minimum: 0,
  // 2100-01-01: far beyond any clock the server accepts, but bounded.
  maximum: 4_102_444_800_000,
  description: 'device time, epoch milliseconds',
});
const Seq = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'per-device sequence number',
});
const Detail = Type.Optional(Type.String({ maxLength: 500 }));

export const CAMERA_EVENTS = [
  'video-loss',
  'tamper',
  'disk-full',
  'intrusion',
  'loitering',
  'crowd-density',
  'smoke',
  'ebike-in-lift',
] as const;
export const CHARGER_EVENTS = [
  'over-current',
  'over-voltage',
  'under-voltage',
  'over-temperature',
  'leakage',
  'short-circuit',
  'smoke',
  'door-open',
  'door-lock-fault',
  'meter-failure',
  'weak-signal',
] as const;
export const LOCKER_EVENTS = [
  'door-left-open',
  'forced-open',
  'lock-fault',
  'power-loss',
  'temperature-out-of-range',
  'scanner-fault',
] as const;

export const EBIKE_PORT_STATES = ['idle', 'charging', 'full', 'fault'] as const;
export const OCPP_STATES = [
  'Available',
  'Preparing',
  'Charging',
  'SuspendedEV',
  'SuspendedEVSE',
  'Finishing',
  'Faulted',
  'Unavailable',
] as const;

export const CameraTelemetry = Type.Object(
  {
    ts: Ts,
    seq: Seq,
    fps: Type.Number({ minimum: 0, maximum: 120 }),
    bitrateKbps: Type.Number({ minimum: 0, maximum: 100_000 }),
    storageUsedPct: Type.Number({ minimum: 0, maximum: 100 }),
    temperatureC: Type.Number({ minimum: -60, maximum: 150 }),
    peopleCount: Type.Integer({ minimum: 0, maximum: 100_000 }),
  },
  { additionalProperties: false },
);

export const ChargerPort = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 64 }),
    state: Type.Enum([...EBIKE_PORT_STATES, ...OCPP_STATES]),
    currentA: Type.Number({ minimum: 0, maximum: 500 }),
    temperatureC: Type.Optional(Type.Number({ minimum: -60, maximum: 200 })),
  },
  { additionalProperties: false },
);

export const ChargerTelemetry = Type.Object(
  {
    ts: Ts,
    seq: Seq,
    voltageV: Type.Number({ minimum: 0, maximum: 1000 }),
    currentA: Type.Number({ minimum: 0, maximum: 500 }),
    powerKw: Type.Number({ minimum: 0, maximum: 400 }),
    // A cumulative meter: 400 kW around the clock for 28 years stays below 1e8 kWh.
    energyKwh: Type.Number({ minimum: 0, maximum: 100_000_000 }),
    temperatureC: Type.Number({ minimum: -60, maximum: 200 }),
    leakageMa: Type.Number({ minimum: 0, maximum: 1000 }),
    ports: Type.Array(ChargerPort, { maxItems: 64 }),
  },
  { additionalProperties: false },
);

export const LockerTelemetry = Type.Object(
  {
    ts: Ts,
    seq: Seq,
    doorsOpen: Type.Integer({ minimum: 0, maximum: 500 }),
    compartmentsUsed: Type.Integer({ minimum: 0, maximum: 500 }),
    compartmentsTotal: Type.Integer({ minimum: 1, maximum: 500 }),
    coldTempC: Type.Number({ minimum: -60, maximum: 80 }),
    mainsPower: Type.Boolean(),
    batteryPct: Type.Number({ minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
);

export const CameraEvent = Type.Object(
  { ts: Ts, seq: Seq, type: Type.Enum(CAMERA_EVENTS), detail: Detail },
  { additionalProperties: false },
);
export const ChargerEvent = Type.Object(
  {
    ts: Ts,
    seq: Seq,
    type: Type.Enum(CHARGER_EVENTS),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    detail: Detail,
  },
  { additionalProperties: false },
);
export const LockerEvent = Type.Object(
  {
    ts: Ts,
    seq: Seq,
    type: Type.Enum(LOCKER_EVENTS),
    compartment: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    detail: Detail,
  },
  { additionalProperties: false },
);

/** Retained status; the MQTT last will publishes `{ state: 'offline', reason: 'last-will' }`. */
export const DeviceStatus = Type.Object(
  {
    state: Type.Enum(['online', 'offline']),
    ts: Type.Optional(Ts),
    reason: Type.Optional(Type.String({ maxLength: 100 })),
    firmware: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export type CameraTelemetry = Static<typeof CameraTelemetry>;
export type ChargerTelemetry = Static<typeof ChargerTelemetry>;
export type ChargerPort = Static<typeof ChargerPort>;
export type LockerTelemetry = Static<typeof LockerTelemetry>;
export type CameraEvent = Static<typeof CameraEvent>;
export type ChargerEvent = Static<typeof ChargerEvent>;
export type LockerEvent = Static<typeof LockerEvent>;
export type DeviceStatus = Static<typeof DeviceStatus>;
export type AnyTelemetry = CameraTelemetry | ChargerTelemetry | LockerTelemetry;
export type AnyEvent = CameraEvent | ChargerEvent | LockerEvent;
