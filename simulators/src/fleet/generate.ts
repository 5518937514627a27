import type { Position } from '@gridwatch/devices';
import { gridAtKm } from '../district/generate.ts';
import { toKm, toLonLat } from '../district/geometry.ts';
import type { District, Site } from '../district/types.ts';
import { createRng, type Rng } from '../rng.ts';
import type { FleetOptions, SimDevice } from './types.ts';

/** Camera links of one district (a real one counts 3,116). */
export const CAMERAS_PER_DISTRICT = 3000;
const GATE_CAMERAS_PER_COMPOUND = 2.5;
const GATE_NAMES = ['东门', '西门', '南门', '北门', '车库入口', '电梯厅'] as const;

const pad = (n: number) => String(n).padStart(5, '0');

/** A position near `origin` (within `radiusKm`) that lies strictly inside a grid. */
function near(
  district: District,
  origin: Position,
  radiusKm: number,
  rng: Rng,
): { at: Position; gridId: string } {
  const [x, y] = toKm(origin);
  for (let i = 0; i < 50; i++) {
    const angle = rng.range(0, 2 * Math.PI);
    const r = rng.range(0.3, 1) * radiusKm;
    const px = x + r * Math.cos(angle);
    const py = y + r * Math.sin(angle);
    const grid = gridAtKm(district, px, py);
    // Keep a metre from grid edges so rounding to 1e-7° cannot move it across one.
    if (
      grid &&
      gridAtKm(district, px + 0.001, py + 0.001) === grid &&
      gridAtKm(district, px - 0.001, py - 0.001) === grid
    )
      return { at: toLonLat(px, py), gridId: grid.id };
  }
  throw new Error(`no grid near ${origin.join(',')}`);
}

/** Points along a polyline at roughly even spacing. */
function alongRoad(line: Position[], count: number, rng: Rng): Position[] {
  const km = line.map(toKm);
  const seg = km.slice(1).map((p, i) => Math.hypot(p[0] - km[i]![0], p[1] - km[i]![1]));
  const total = seg.reduce((a, b) => a + b, 0);
  const out: Position[] = [];
  for (let k = 0; k < count; k++) {
    let d = ((k + rng.range(0.2, 0.8)) / count) * total;
    let i = 0;
    while (i < seg.length - 1 && d > seg[i]!) d -= seg[i++]!;
    const [ax, ay] = km[i]!;
    const [bx, by] = km[i + 1]!;
    const t = d / seg[i]!;
    // A pole stands 10–30 m off the road's centre line.
    const side = (rng.chance(0.5) ? 1 : -1) * rng.range(0.01, 0.03);
    const nx = -(by - ay) / seg[i]!;
    const ny = (bx - ax) / seg[i]!;
    out.push(toLonLat(ax + (bx - ax) * t + nx * side, ay + (by - ay) * t + ny * side));
  }
  return out;
}

/**
 * The district's devices: cameras at compound gates and along the roads, e-bike charging
 * stations (and some car chargers) in every compound, a locker at every service station.
 * Deterministic for a district and seed. `scale` multiplies every count on the same map.
 */
export function generateFleet(district: District, options: FleetOptions = {}): SimDevice[] {
  const scale = Math.max(1, Math.round(options.scale ?? 1));
  const rng = createRng(options.seed ?? district.seed).fork('fleet');
  const devices: SimDevice[] = [];
  let cams = 0;
  let chargers = 0;
  let lockers = 0;

  const totalCameras = CAMERAS_PER_DISTRICT * scale;
  const gateCameras = Math.round(district.compounds.length * GATE_CAMERAS_PER_COMPOUND * scale);
  for (let k = 0; k < gateCameras; k++) {
    const site: Site = district.compounds[k % district.compounds.length]!;
    const round = Math.floor(k / district.compounds.length);
    const { at, gridId } = near(district, site.position, 0.04, rng);
    const gate = GATE_NAMES[round % GATE_NAMES.length]!;
    devices.push({
      id: `cam-${pad(++cams)}`,
      kind: 'camera',
      name: `${site.name}${gate}监控`,
      position: at,
      site: site.id,
      gridId,
      attributes: { placement: 'gate', peakPeople: rng.int(6, 20) },
    });
  }

  const roadCameras = totalCameras - gateCameras;
  const lengths = district.roads.map((r) => r.line.length);
  const perRoad = lengths.map(() => Math.floor(roadCameras / district.roads.length));
  perRoad[0]! += roadCameras - perRoad.reduce((a, b) => a + b, 0);
  district.roads.forEach((road, ri) => {
    alongRoad(road.line, perRoad[ri]!, rng).forEach((p, k) => {
      const { at, gridId } = near(district, p, 0.005, rng);
      devices.push({
        id: `cam-${pad(++cams)}`,
        kind: 'camera',
        name: `${road.name}${k + 1}号监控点`,
        position: at,
        site: null,
        gridId,
        attributes: { placement: 'road', peakPeople: rng.int(15, 45), roadId: road.id },
      });
    });
  });

  for (const site of district.compounds) {
    const ebike = (rng.chance(0.45) ? 2 : 1) * scale;
    for (let n = 1; n <= ebike; n++) {
      const { at, gridId } = near(district, site.position, 0.03, rng);
      const ports = rng.int(8, 20);
      devices.push({
        id: `chg-${pad(++chargers)}`,
        kind: 'charger',
        name: `${site.name}电动车充电站${n}号`,
        position: at,
        site: site.id,
        gridId,
        attributes: { chargerType: 'ebike', ports, ratedKw: Math.round(ports * 0.4 * 10) / 10 },
      });
    }
    if (rng.chance(0.15)) {
      for (let n = 1; n <= scale; n++) {
        const { at, gridId } = near(district, site.position, 0.03, rng);
        devices.push({
          id: `chg-${pad(++chargers)}`,
          kind: 'charger',
          name: `${site.name}汽车充电桩${n}号`,
          position: at,
          site: site.id,
          gridId,
          attributes: { chargerType: 'car', ports: rng.int(1, 2), ratedKw: 7 },
        });
      }
    }
  }

  for (const site of district.stations) {
    for (let n = 1; n <= scale; n++) {
      const { at, gridId } = near(district, site.position, 0.02, rng);
      devices.push({
        id: `lck-${pad(++lockers)}`,
        kind: 'locker',
        name: scale > 1 ? `${site.name}智能快递柜${n}号` : `${site.name}智能快递柜`,
        position: at,
        site: site.id,
        gridId,
        attributes: { compartments: rng.pick([40, 60, 80, 120] as const) },
      });
    }
  }
  return devices;
}
