import type { Position, Ring } from '@gridwatch/devices';

/**
 * Local flat projection around the district centre. At city scale (a few km) the error is
 * far below a metre, and it keeps the generator in kilometres.
 */
export const CENTER: Position = [108.93, 34.27];
const KM_PER_DEG_LAT = 110.574;
const KM_PER_DEG_LON = 111.32 * Math.cos((CENTER[1] * Math.PI) / 180);

/** Axis-aligned rectangle in kilometres east/north of the centre. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function toLonLat(x: number, y: number): Position {
  return [round(CENTER[0] + x / KM_PER_DEG_LON), round(CENTER[1] + y / KM_PER_DEG_LAT)];
}

export function toKm([lon, lat]: Position): [number, number] {
  return [(lon - CENTER[0]) * KM_PER_DEG_LON, (lat - CENTER[1]) * KM_PER_DEG_LAT];
}

/** 7 decimals ≈ 1 cm: stable text output, and shared edges stay bit-identical. */
function round(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}

/** Closed counter-clockwise ring of a rectangle. */
export function rectRing(r: Rect): Ring {
  return [
    toLonLat(r.x0, r.y0),
    toLonLat(r.x1, r.y0),
    toLonLat(r.x1, r.y1),
    toLonLat(r.x0, r.y1),
    toLonLat(r.x0, r.y0),
  ];
}

export function rectArea(r: Rect): number {
  return (r.x1 - r.x0) * (r.y1 - r.y0);
}

/** Signed area in km² of a lon/lat ring (positive = counter-clockwise). */
export function ringAreaKm2(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = toKm(ring[i]!);
    const [x2, y2] = toKm(ring[i + 1]!);
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}

/** Strictly inside (a point on the edge belongs to no rectangle, so no point belongs to two). */
export function inRect(r: Rect, x: number, y: number): boolean {
  return x > r.x0 && x < r.x1 && y > r.y0 && y < r.y1;
}

/** A point inside `r`, at least `margin` (fraction of each side) from its edges. */
export function pointIn(r: Rect, u: number, v: number, margin = 0.1): [number, number] {
  const m = Math.min(Math.max(margin, 0), 0.45);
  return [r.x0 + (r.x1 - r.x0) * (m + (1 - 2 * m) * u), r.y0 + (r.y1 - r.y0) * (m + (1 - 2 * m) * v)];
}

/**
 * Splits `r` into `n` rectangles by recursive cuts across its longer side, each cut at the
 * share of the parts it separates (jittered), so the pieces stay compact and tile `r` exactly.
 */
export function splitRect(r: Rect, n: number, jitter: () => number): Rect[] {
  if (n <= 1) return [r];
  const left = Math.floor(n / 2);
  const share = Math.min(0.8, Math.max(0.2, (left / n) * (0.85 + 0.3 * jitter())));
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  let a: Rect;
  let b: Rect;
  if (w >= h) {
    const cut = r.x0 + w * share;
    a = { ...r, x1: cut };
    b = { ...r, x0: cut };
  } else {
    const cut = r.y0 + h * share;
    a = { ...r, y1: cut };
    b = { ...r, y0: cut };
  }
  return [...splitRect(a, left, jitter), ...splitRect(b, n - left, jitter)];
}

/** Splits `total` into `weights.length` integers ≥ `min`, proportional to the weights (largest remainder). */
export function apportion(total: number, weights: number[], min: number): number[] {
  const spare = total - min * weights.length;
  if (spare < 0) throw new Error(`cannot split ${total} into ${weights.length} parts of at least ${min}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * spare);
  const counts = exact.map((e) => Math.floor(e));
  let left = spare - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((p, q) => q.r - p.r || p.i - q.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return counts.map((c) => c + min);
}
