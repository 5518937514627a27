import { ALL_FAULTS, type FaultSpec, FIRE_RISK } from '../models/faults.ts';
import type { DeviceModel } from '../models/model.ts';
import { shanghaiHour } from '../models/rhythm.ts';
import type { Rng } from '../rng.ts';

/** A fault to start on one device at simulated time `at`. */
export interface PlannedFault {
  at: number;
  faultId: string;
  deviceId: string;
  /** The random fault (or scenario step) it belongs to, e.g. `fire-risk`. */
  origin: string;
  /** Outage length for faults that cut the connection, seconds (default: the model's random one). */
  forS?: number;
}

const MAX_HOUR_FACTOR = 2.5;
const HOUR = 3_600_000;

/**
 * Draws random faults as a Poisson process whose rate follows the hour of day (thinning),
 * and picks a device that fits each one. `rateScale` multiplies every rate (a fleet of
 * `scale` districts has `scale` times the faults).
 */
export class FaultScheduler {
  private next: number;
  private readonly maxRatePerMs: number;
  private readonly byKind = new Map<string, DeviceModel[]>();
  private readonly fireSites: Array<{ charger: DeviceModel; cameras: DeviceModel[] }> = [];

  constructor(
    models: DeviceModel[],
    private readonly rng: Rng,
    private readonly rateScale: number,
    startAt: number,
    private readonly faults: FaultSpec[] = ALL_FAULTS,
  ) {
    for (const m of models) this.byKind.set(m.device.kind, [...(this.byKind.get(m.device.kind) ?? []), m]);
    const camerasBySite = new Map<string, DeviceModel[]>();
    for (const m of this.byKind.get('camera') ?? [])
      if (m.device.site) camerasBySite.set(m.device.site, [...(camerasBySite.get(m.device.site) ?? []), m]);
    for (const m of this.byKind.get('charger') ?? []) {
      const cameras = m.device.site ? camerasBySite.get(m.device.site) : undefined;
      if (cameras && m.accepts('charger-overheat')) this.fireSites.push({ charger: m, cameras });
    }
    const total = faults.reduce((a, f) => a + f.ratePerHour, 0) * rateScale * MAX_HOUR_FACTOR;
    this.maxRatePerMs = total / HOUR;
    this.next = startAt + this.gap();
  }

  private gap(): number {
    return this.maxRatePerMs > 0 ? this.rng.exponential(this.maxRatePerMs) : Number.POSITIVE_INFINITY;
  }

  /** Faults due up to `now`. */
  due(now: number): PlannedFault[] {
    const out: PlannedFault[] = [];
    while (this.next <= now) {
      const at = this.next;
      this.next += this.gap();
      const h = shanghaiHour(at);
      const weights = this.faults.map((f) => f.ratePerHour * this.rateScale * f.hourFactor(h));
      const total = weights.reduce((a, b) => a + b, 0);
      if (!this.rng.chance(total / (this.maxRatePerMs * HOUR))) continue;
      let pick = this.rng.range(0, total);
      let index = 0;
      while (index < weights.length - 1 && pick >= weights[index]!) pick -= weights[index++]!;
      const spec = this.faults[index]!;
      out.push(...this.plan(spec, at));
    }
    return out;
  }

  private plan(spec: FaultSpec, at: number): PlannedFault[] {
    if (spec.id === FIRE_RISK.id) {
      if (!this.fireSites.length) return [];
      const site = this.rng.pick(this.fireSites);
      const camera = this.rng.pick(site.cameras);
      return [
        { at, faultId: 'charger-overheat', deviceId: site.charger.device.id, origin: spec.id },
        {
          at: at + this.rng.range(60, 120) * 1000,
          faultId: 'camera-smoke',
          deviceId: camera.device.id,
          origin: spec.id,
        },
      ];
    }
    const candidates = this.byKind.get(spec.kind) ?? [];
    for (let tries = 0; tries < 20 && candidates.length; tries++) {
      const m = this.rng.pick(candidates);
      if (m.accepts(spec.id)) return [{ at, faultId: spec.id, deviceId: m.device.id, origin: spec.id }];
    }
    return [];
  }
}
