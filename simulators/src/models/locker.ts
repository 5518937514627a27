import { CATALOGUE, type LockerEvent, type LockerTelemetry } from '@gridwatch/devices';
import type { LockerAttributes, SimDevice } from '../fleet/types.ts';
import type { Rng } from '../rng.ts';
import { clamp, type DeviceModel, type FaultEffect, type Outgoing, round1 } from './model.ts';
import { lockerFill, shanghaiHour } from './rhythm.ts';

const MINUTE = 60_000;

interface Fault {
  id: string;
  endsAt: number;
  value: number;
}

const EVENT_FAULTS: Record<string, LockerEvent['type']> = {
  'locker-lock-fault': 'lock-fault',
  'locker-scanner-fault': 'scanner-fault',
};

export class LockerModel implements DeviceModel {
  readonly intervalS = CATALOGUE.locker.reportingIntervalS;
  private seq = 0;
  private readonly attrs: LockerAttributes;
  private used: number | undefined;
  private batteryPct = 100;
  private lastAt: number | undefined;
  private fault: Fault | undefined;

  constructor(
    readonly device: SimDevice & { kind: 'locker' },
    private readonly rng: Rng,
  ) {
    this.attrs = device.attributes;
  }

  report(now: number): Outgoing[] {
    const dtMin = this.lastAt === undefined ? 0 : clamp((now - this.lastAt) / MINUTE, 0, 60);
    this.lastAt = now;
    if (this.fault && now >= this.fault.endsAt) this.fault = undefined;
    const f = this.fault;
    const total = this.attrs.compartments;
    const target = total * lockerFill(shanghaiHour(now));
    // Parcels arrive and leave a few at a time.
    this.used ??= Math.round(target);
    const step = Math.round((target - this.used) * 0.2 + this.rng.normal() * 0.8);
    this.used = clamp(this.used + step, 0, total);
    const mains = f?.id !== 'locker-power-loss';
    this.batteryPct = clamp(this.batteryPct + (mains ? 2 : -0.6) * dtMin, 0, 100);
    const doorOpen =
      f?.id === 'locker-door-left-open' || f?.id === 'locker-forced-open' ? 1 : this.rng.chance(0.03) ? 1 : 0;
    const cold = f?.id === 'locker-cold-fault' ? f.value : 4 + this.rng.normal() * 0.3;
    const telemetry: LockerTelemetry = {
      ts: Math.round(now),
      seq: this.seq++,
      doorsOpen: doorOpen,
      compartmentsUsed: this.used,
      compartmentsTotal: total,
      coldTempC: round1(clamp(cold, -60, 80)),
      mainsPower: mains,
      batteryPct: round1(this.batteryPct),
    };
    return [{ channel: 'telemetry', payload: telemetry }];
  }

  accepts(faultId: string): boolean {
    return faultId.startsWith('locker-');
  }

  private event(type: LockerEvent['type'], now: number, detail?: string): LockerEvent {
    const compartment = this.rng.int(1, this.attrs.compartments);
    return { ts: Math.round(now), seq: this.seq++, type, compartment, ...(detail ? { detail } : {}) };
  }

  inject(faultId: string, now: number): FaultEffect | undefined {
    if (!this.accepts(faultId)) return undefined;
    const r = this.rng;
    const start = (minutes: number, value = 0) => {
      this.fault = { id: faultId, endsAt: now + minutes * MINUTE, value };
    };
    switch (faultId) {
      case 'locker-door-left-open':
        start(r.range(5, 15));
        return { events: [this.event('door-left-open', now, '柜门超过3分钟未关闭')] };
      case 'locker-forced-open':
        start(r.range(1, 3));
        return { events: [this.event('forced-open', now, '柜门被暴力开启')] };
      case 'locker-power-loss':
        start(r.range(10, 30));
        return { events: [this.event('power-loss', now, '市电中断，电池供电')] };
      case 'locker-cold-fault':
        start(r.range(15, 30), r.range(9, 12));
        return { events: [this.event('temperature-out-of-range', now)] };
    }
    const type = EVENT_FAULTS[faultId];
    return type ? { events: [this.event(type, now)] } : undefined;
  }
}
