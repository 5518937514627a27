import type { AnyEvent, AnyTelemetry } from '@gridwatch/devices';
import type { SimDevice } from '../fleet/types.ts';

export interface Outgoing {
  channel: 'telemetry' | 'event';
  payload: AnyTelemetry | AnyEvent;
}

/** What a fault asks of the runner beyond payloads. */
export interface FaultEffect {
  /** Events to publish now. */
  events: AnyEvent[];
  /** Drop the connection without a goodbye (the broker then sends the last will) for this long. */
  disconnectForS?: number;
}

/**
 * One device's behaviour: state advanced only by the calls below, with the clock passed in,
 * so the same calls give the same payloads.
 */
export interface DeviceModel {
  readonly device: SimDevice;
  /** Seconds between telemetry reports (the catalogue's). */
  readonly intervalS: number;
  /** Telemetry at `now`, plus events the device raises by itself on the way (e.g. crossing a limit). */
  report(now: number): Outgoing[];
  /** Starts fault `faultId`; unknown or unfit faults return undefined. */
  inject(faultId: string, now: number): FaultEffect | undefined;
  /** Whether `faultId` makes sense for this device now (e.g. overheating needs ports charging). */
  accepts(faultId: string): boolean;
}

/** A fault in progress on one device. */
export interface ActiveFault {
  id: string;
  startedAt: number;
  endsAt: number;
  /** Free per-fault numbers (peak temperature, …). */
  value: number;
}

export class SeqCounter {
  private seq = 0;
  next(): number {
    return this.seq++;
  }
}

export const round1 = (v: number) => Math.round(v * 10) / 10;
export const round2 = (v: number) => Math.round(v * 100) / 100;
export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
