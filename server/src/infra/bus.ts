import { EventEmitter } from 'node:events';
import type { Alert, AnyEvent, AnyTelemetry, DeviceKind } from '@gridwatch/devices';

/** A reading stored for the first time (duplicates never reach the bus). */
export interface StoredReading {
  deviceId: string;
  kind: DeviceKind;
  /** Epoch ms. */
  ts: number;
  seq: number;
  data: AnyTelemetry;
}

export interface StoredEvent {
  deviceId: string;
  kind: DeviceKind;
  ts: number;
  seq: number;
  data: AnyEvent;
}

export interface DeviceStatusChange {
  deviceId: string;
  kind: DeviceKind;
  online: boolean;
  /** Epoch ms. */
  at: number;
  reason: string | null;
}

/** Domain events inside one server process. */
export interface BusEvents {
  readings: [readings: StoredReading[]];
  'device-events': [events: StoredEvent[]];
  'device-status': [change: DeviceStatusChange];
  alert: [alert: Alert, change: 'new' | 'update'];
  'devices-changed': [];
}

/** Typed event bus. Listeners run synchronously; they must not throw and must not block. */
export class Bus extends EventEmitter<BusEvents> {}
