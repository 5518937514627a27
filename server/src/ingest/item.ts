import type { AckHandle } from '../infra/puback-ledger.ts';
import type { DeviceMessage, Rejection } from './decode.ts';

/** One received MQTT message on its way to the database. */
export interface IngestItem {
  topic: string;
  /** From the topic: telemetry, event, status, or 'unknown' (metrics label). */
  channel: string;
  payload: Buffer;
  receivedAt: number;
  /** Null for QoS 0 (nothing to acknowledge). */
  ack: AckHandle | null;
  /** Which MQTT session it came on (whose PUBACK it is). */
  lane: 'telemetry' | 'events';
  /** The decoded message, when the payload decoded. */
  message: DeviceMessage | null;
  /**
   * Why it cannot be stored. `unknown-device` with a message is provisional: the writer
   * asks the database first (another instance may have just imported the device).
   */
  rejection: Rejection | null;
}

/** What `dead_letters.payload` keeps: the first 4 KiB as text, without NUL (text cannot hold it). */
export function payloadExcerpt(payload: Buffer): string {
  return payload.subarray(0, 4096).toString('utf8').replaceAll('\u0000', '\uFFFD');
}
