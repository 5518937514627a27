import { CATALOGUE, type ChargerEvent, type ChargerPort, type ChargerTelemetry } from '@gridwatch/devices';
import type { ChargerAttributes, SimDevice } from '../fleet/types.ts';
import type { Rng } from '../rng.ts';
import { clamp, type DeviceModel, type FaultEffect, type Outgoing, round1, round2 } from './model.ts';
import { ambientC, ebikeOccupancy, shanghaiHour } from './rhythm.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Port {
  state: ChargerPort['state'];
  /** E-bike: when the battery is full; car: when the session ends. */
  until: number;
  /** Current the battery draws while charging, A. */
  drawA: number;
  currentA: number;
}

interface Fault {
  id: string;
  startedAt: number;
  endsAt: number;
  /** Overheat: peak °C; leakage: mA; under-voltage: V. */
  value: number;
  /** Overheat: temperature when it started. */
  base: number;
  announced: boolean;
}

const EVENT_FAULTS: Record<string, ChargerEvent['type']> = {
  'charger-smoke': 'smoke',
  'charger-door-open': 'door-open',
  'charger-door-lock-fault': 'door-lock-fault',
  'charger-meter-failure': 'meter-failure',
  'charger-weak-signal': 'weak-signal',
};

/** Overheating climbs this fast (°C a minute) and cools this fast after the breaker trips. */
const HEAT_RATE = 20;
const COOL_RATE = 6;

export class ChargerModel implements DeviceModel {
  readonly intervalS = CATALOGUE.charger.reportingIntervalS;
  private seq = 0;
  private readonly attrs: ChargerAttributes;
  private readonly ports: Port[];
  private energyKwh: number;
  private temperatureC: number | undefined;
  private lastAt: number | undefined;
  private fault: Fault | undefined;

  constructor(
    readonly device: SimDevice & { kind: 'charger' },
    private readonly rng: Rng,
  ) {
    this.attrs = device.attributes;
    this.energyKwh = Math.round(rng.range(800, 25_000));
    const idle = this.isCar ? 'Available' : 'idle';
    this.ports = Array.from({ length: this.attrs.ports }, () => ({
      state: idle,
      until: 0,
      drawA: 0,
      currentA: 0,
    }));
  }

  private get isCar(): boolean {
    return this.attrs.chargerType === 'car';
  }

  private charging(): Port[] {
    return this.ports.filter((p) => p.state === 'charging' || p.state === 'Charging');
  }

  private startEbike(p: Port, now: number) {
    p.state = 'charging';
    p.until = now + this.rng.range(2, 5) * HOUR;
    p.drawA = this.rng.range(1.5, 2.2);
  }

  private stepEbike(p: Port, now: number, dtH: number, occupancy: number) {
    const occupied = p.state !== 'idle';
    if (p.state === 'fault') {
      p.currentA = 0;
      return;
    }
    if (!occupied && this.rng.chance(occupancy * dtH)) this.startEbike(p, now);
    else if (occupied && this.rng.chance((1 - occupancy) * dtH * 0.8)) p.state = 'idle';
    if (p.state === 'charging' && now >= p.until) p.state = 'full';
    // Current tapers in the last half hour, as a lithium charger's does.
    const taper = p.state === 'charging' ? clamp((p.until - now) / (30 * MINUTE) + 0.3, 0.3, 1) : 0;
    p.currentA = p.state === 'charging' ? p.drawA * taper : p.state === 'full' ? 0.05 : 0;
  }

  private stepCar(p: Port, now: number, dtH: number, occupancy: number) {
    switch (p.state) {
      case 'Available':
        if (this.rng.chance(occupancy * dtH * 0.5)) p.state = 'Preparing';
        break;
      case 'Preparing':
        p.state = 'Charging';
        p.until = now + this.rng.range(1.5, 4) * HOUR;
        p.drawA = this.rng.range(26, 32);
        break;
      case 'Charging':
        if (now >= p.until) p.state = 'SuspendedEV';
        break;
      case 'SuspendedEV':
        p.state = 'Finishing';
        break;
      case 'Finishing':
      case 'Faulted':
        p.state = 'Available';
        break;
    }
    // Ramp the current a few amperes per report: a car's charger negotiates up and down.
    const target = p.state === 'Charging' ? p.drawA : 0;
    p.currentA = p.currentA + clamp(target - p.currentA, -6, 6);
  }

  report(now: number): Outgoing[] {
    const dtH = this.lastAt === undefined ? 0 : clamp((now - this.lastAt) / HOUR, 0, 1);
    const first = this.lastAt === undefined;
    this.lastAt = now;
    const h = shanghaiHour(now);
    const occupancy = this.isCar ? ebikeOccupancy(h) * 0.6 : ebikeOccupancy(h);
    if (first && !this.isCar) {
      for (const p of this.ports)
        if (this.rng.chance(occupancy)) this.startEbike(p, now - this.rng.range(0, 2) * HOUR);
    }
    if (this.fault && now >= this.fault.endsAt) this.endFault();
    for (const p of this.ports) {
      if (this.isCar) this.stepCar(p, now, dtH, occupancy);
      else this.stepEbike(p, now, dtH, occupancy);
    }
    const events: Outgoing[] = [];
    const fault = this.fault;
    if (fault?.id === 'charger-over-current') {
      const port = this.charging()[0] ?? this.ports[0]!;
      port.currentA = this.isCar ? 45 : 4.5;
    }
    const totalA = this.ports.reduce((a, p) => a + p.currentA, 0);
    const voltage = fault?.id === 'charger-under-voltage' ? fault.value : 221 + this.rng.normal() * 1.2;
    const normalC = ambientC(h) + 6 + (this.isCar ? 0.25 : 0.45) * totalA;
    // The case follows the load with a lag of several minutes.
    const lag = first ? 1 : 1 - Math.exp(-dtH * 6);
    this.temperatureC =
      this.temperatureC === undefined ? normalC : this.temperatureC + (normalC - this.temperatureC) * lag;
    let temperature = this.temperatureC + this.rng.normal() * 0.3;
    if (fault?.id === 'charger-overheat') {
      temperature = Math.max(temperature, this.overheatC(fault, now));
      if (!fault.announced && temperature > 65) {
        fault.announced = true;
        events.push({
          channel: 'event',
          payload: this.event('over-temperature', now, 1, '端口温度超过65°C'),
        });
      }
    }
    const leakage =
      fault?.id === 'charger-leakage'
        ? fault.value + this.rng.normal()
        : 2.5 + 0.05 * totalA + this.rng.normal() * 0.3;
    const powerKw = (voltage * totalA) / 1000;
    this.energyKwh += powerKw * dtH;
    const telemetry: ChargerTelemetry = {
      ts: Math.round(now),
      seq: this.seq++,
      voltageV: round1(clamp(voltage, 0, 1000)),
      currentA: round2(clamp(totalA, 0, 500)),
      powerKw: round2(clamp(powerKw, 0, 400)),
      energyKwh: round2(this.energyKwh),
      temperatureC: round1(clamp(temperature, -60, 200)),
      leakageMa: round1(clamp(leakage, 0, 1000)),
      ports: this.ports.map((p, i) => ({
        port: i + 1,
        state: p.state,
        currentA: round2(clamp(p.currentA, 0, 500)),
        temperatureC: round1(
          clamp(temperature - (p.currentA > 0.1 ? 0 : 4) + this.rng.normal() * 0.2, -60, 200),
        ),
      })),
    };
    return [{ channel: 'telemetry', payload: telemetry }, ...events];
  }

  /** Climbs at HEAT_RATE to the peak, holds until the breaker trips, then cools. */
  private overheatC(f: Fault, now: number): number {
    const minutes = (now - f.startedAt) / MINUTE;
    const climbMin = (f.value - f.base) / HEAT_RATE;
    const holdMin = 2;
    if (minutes <= climbMin) return f.base + HEAT_RATE * minutes;
    if (minutes <= climbMin + holdMin) return f.value;
    if (this.charging().length) for (const p of this.charging()) p.state = this.isCar ? 'Faulted' : 'fault';
    return f.value - COOL_RATE * (minutes - climbMin - holdMin);
  }

  private endFault() {
    for (const p of this.ports) if (p.state === 'fault') p.state = 'idle';
    this.fault = undefined;
  }

  private event(type: ChargerEvent['type'], now: number, port?: number, detail?: string): ChargerEvent {
    return {
      ts: Math.round(now),
      seq: this.seq++,
      type,
      ...(port ? { port } : {}),
      ...(detail ? { detail } : {}),
    };
  }

  accepts(faultId: string): boolean {
    if (faultId === 'charger-overheat') return !this.isCar && !this.fault;
    return faultId.startsWith('charger-');
  }

  inject(faultId: string, now: number): FaultEffect | undefined {
    if (!this.accepts(faultId)) return undefined;
    const r = this.rng;
    const start = (id: string, minutes: number, value = 0): Fault => {
      this.fault = { id, startedAt: now, endsAt: now + minutes * MINUTE, value, base: 0, announced: false };
      return this.fault;
    };
    switch (faultId) {
      case 'charger-overheat': {
        // A battery overheating while it charges: make sure ports are charging.
        for (const p of this.ports.slice(0, 3)) if (p.state !== 'charging') this.startEbike(p, now);
        const f = start(faultId, 0);
        f.base = this.temperatureC ?? 30;
        f.value = r.range(74, 82);
        f.endsAt = now + ((f.value - f.base) / HEAT_RATE + 2 + (f.value - 50) / COOL_RATE) * MINUTE;
        return { events: [] };
      }
      case 'charger-leakage':
        start(faultId, r.range(2, 5), r.range(35, 60));
        return { events: [this.event('leakage', now, undefined, '剩余电流超过30mA')] };
      case 'charger-short-circuit':
        start(faultId, r.range(1, 3));
        for (const p of this.ports) p.state = this.isCar ? 'Faulted' : 'fault';
        return { events: [this.event('short-circuit', now, 1)] };
      case 'charger-over-current':
        start(faultId, 0.4);
        return { events: [this.event('over-current', now, 1)] };
      case 'charger-under-voltage':
        start(faultId, r.range(2, 5), r.range(185, 195));
        return { events: [this.event('under-voltage', now)] };
      case 'charger-power-loss':
        return { events: [], disconnectForS: Math.round(r.range(300, 900)) };
    }
    const type = EVENT_FAULTS[faultId];
    return type ? { events: [this.event(type, now)] } : undefined;
  }
}
