import { CATALOGUE, type CameraEvent, type CameraTelemetry } from '@gridwatch/devices';
import type { CameraAttributes, SimDevice } from '../fleet/types.ts';
import type { Rng } from '../rng.ts';
import {
  type ActiveFault,
  clamp,
  type DeviceModel,
  type FaultEffect,
  type Outgoing,
  round1,
  SeqCounter,
} from './model.ts';
import { ambientC, gateActivity, shanghaiHour, streetActivity } from './rhythm.ts';

const EVENT_FAULTS: Record<string, CameraEvent['type']> = {
  'camera-smoke': 'smoke',
  'camera-intrusion': 'intrusion',
  'camera-loitering': 'loitering',
  'camera-ebike-in-lift': 'ebike-in-lift',
  'camera-disk-full': 'disk-full',
};

const MINUTE = 60_000;

export class CameraModel implements DeviceModel {
  readonly intervalS = CATALOGUE.camera.reportingIntervalS;
  private readonly seq = new SeqCounter();
  private readonly attrs: CameraAttributes;
  private readonly phase: number;
  private readonly storagePct: number;
  private fault: ActiveFault | undefined;

  constructor(
    readonly device: SimDevice & { kind: 'camera' },
    private readonly rng: Rng,
  ) {
    this.attrs = device.attributes;
    this.phase = rng.range(0, 2 * Math.PI);
    this.storagePct = rng.range(62, 88);
  }

  private active(now: number): ActiveFault | undefined {
    if (this.fault && now >= this.fault.endsAt) this.fault = undefined;
    return this.fault;
  }

  report(now: number): Outgoing[] {
    const h = shanghaiHour(now);
    const fault = this.active(now);
    const level = this.attrs.placement === 'gate' ? gateActivity(h) : streetActivity(h);
    // Slow drift over a few hours, so days differ a little.
    const drift = 1 + 0.08 * Math.sin((now / (6 * 3_600_000)) * 2 * Math.PI + this.phase);
    let mean = this.attrs.peakPeople * level * drift;
    if (fault?.id === 'camera-crowd-density') mean *= fault.value;
    let people = Math.max(0, Math.round(mean + this.rng.normal() * (0.8 + 0.12 * Math.sqrt(mean))));
    let fps = 25 + this.rng.normal() * 0.3;
    let bitrate = 4096 * (0.75 + 0.35 * level) + this.rng.normal() * 120;
    if (fault?.id === 'camera-video-loss') {
      fps = 0;
      bitrate = 0;
      people = 0;
    } else if (fault?.id === 'camera-tamper') {
      bitrate *= 0.3; // a covered lens compresses to almost nothing
      people = 0;
    }
    const telemetry: CameraTelemetry = {
      ts: Math.round(now),
      seq: this.seq.next(),
      fps: round1(clamp(fps, 0, 120)),
      bitrateKbps: Math.round(clamp(bitrate, 0, 100_000)),
      storageUsedPct: round1(clamp(this.storagePct + 2 * Math.sin(now / 86_400_000 + this.phase), 0, 100)),
      temperatureC: round1(ambientC(h) + 18 + this.rng.normal() * 0.4),
      peopleCount: people,
    };
    return [{ channel: 'telemetry', payload: telemetry }];
  }

  accepts(faultId: string): boolean {
    if (faultId === 'camera-ebike-in-lift') return this.attrs.placement === 'gate';
    return faultId === 'camera-offline' || faultId.startsWith('camera-');
  }

  private event(type: CameraEvent['type'], now: number, detail?: string): CameraEvent {
    return { ts: Math.round(now), seq: this.seq.next(), type, ...(detail ? { detail } : {}) };
  }

  inject(faultId: string, now: number): FaultEffect | undefined {
    if (!this.accepts(faultId)) return undefined;
    const r = this.rng;
    switch (faultId) {
      case 'camera-offline':
        return { events: [], disconnectForS: Math.round(r.range(180, 600)) };
      case 'camera-video-loss':
        this.fault = { id: faultId, startedAt: now, endsAt: now + r.range(1, 4) * MINUTE, value: 0 };
        return { events: [this.event('video-loss', now, '视频信号丢失')] };
      case 'camera-tamper':
        this.fault = { id: faultId, startedAt: now, endsAt: now + r.range(3, 10) * MINUTE, value: 0 };
        return { events: [this.event('tamper', now, '镜头被遮挡')] };
      case 'camera-crowd-density':
        this.fault = {
          id: faultId,
          startedAt: now,
          endsAt: now + r.range(3, 8) * MINUTE,
          value: r.range(3, 5),
        };
        return { events: [this.event('crowd-density', now, '人群密度超过阈值')] };
    }
    const type = EVENT_FAULTS[faultId];
    return type ? { events: [this.event(type, now)] } : undefined;
  }
}
