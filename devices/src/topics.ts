import { CHANNELS, type Channel, type DeviceKind, isDeviceKind } from './kinds.ts';

/** Device ids: letters, digits, `-` and `_`, 1–64 characters. Anything else is refused at the edge. */
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const deviceIdRe = new RegExp(DEVICE_ID_PATTERN);

export const TOPIC_ROOT = 'gw';

export function isValidDeviceId(id: string): boolean {
  return deviceIdRe.test(id);
}

export function deviceTopic(kind: DeviceKind, deviceId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/${kind}/${deviceId}/${channel}`;
}

/** What ingest subscribes to. */
export const INGEST_TOPIC_FILTER = `${TOPIC_ROOT}/+/+/+`;

export interface ParsedTopic {
  kind: DeviceKind;
  deviceId: string;
  channel: Channel;
}

export type TopicParseError = 'bad-topic' | 'unknown-kind' | 'bad-device-id' | 'unknown-channel';

/** Parses `gw/{kind}/{id}/{channel}`; returns the reason when the topic is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | { error: TopicParseError } {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return { error: 'bad-topic' };
  const [, kind, deviceId, channel] = parts as [string, string, string, string];
  if (!isDeviceKind(kind)) return { error: 'unknown-kind' };
  if (!isValidDeviceId(deviceId)) return { error: 'bad-device-id' };
  if (!(CHANNELS as readonly string[]).includes(channel)) return { error: 'unknown-channel' };
  return { kind, deviceId, channel: channel as Channel };
}
