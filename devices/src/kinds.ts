/** The device kinds gridwatch knows. Adding a kind means adding it here and in `catalogue.ts`. */
export const DEVICE_KINDS = ['camera', 'charger', 'locker'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** MQTT channels a device publishes on: `gw/{kind}/{deviceId}/{channel}`. */
export const CHANNELS = ['telemetry', 'event', 'status'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Lower is worse: used to pick the worst alert of a grid. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2, warning: 3 };

export function isDeviceKind(value: string): value is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(value);
}
