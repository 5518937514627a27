import type { DeviceKind, Position } from '@gridwatch/devices';

export interface CameraAttributes {
  placement: 'road' | 'gate';
  /** Typical people in view at the busiest hour. */
  peakPeople: number;
  roadId?: string;
}

export interface ChargerAttributes {
  chargerType: 'ebike' | 'car';
  ports: number;
  ratedKw: number;
}

export interface LockerAttributes {
  compartments: number;
}

/** One simulated device, as imported into the server (POST /api/devices/import). */
export type SimDevice = {
  id: string;
  name: string;
  position: Position;
  /** Compound or station id: correlation groups devices by it. */
  site: string | null;
  /** The grid whose polygon holds `position`. */
  gridId: string;
} & (
  | { kind: 'camera'; attributes: CameraAttributes }
  | { kind: 'charger'; attributes: ChargerAttributes }
  | { kind: 'locker'; attributes: LockerAttributes }
);

export interface FleetOptions {
  /** 1 = one district (~4,100 devices); 10 = a city's worth on the same map. @default 1 */
  scale?: number;
  /** @default the district's seed */
  seed?: number;
}

export type KindCounts = Record<DeviceKind, number>;
