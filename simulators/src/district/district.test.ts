import { pointInRing, type Ring } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../fleet/generate.ts';
import { DEFAULT_SEED, DISTRICT_SPEC, generateDistrict } from './generate.ts';
import { districtGeoJson } from './geojson.ts';
import { ringAreaKm2 } from './geometry.ts';
import type { RegionNode } from './types.ts';

const district = generateDistrict(DEFAULT_SEED);
const fleet = generateFleet(district);

function box(ring: Ring) {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** Every corner of an axis-aligned child lies inside or on its parent's rectangle. */
function within(child: RegionNode, parent: RegionNode): boolean {
  const c = box(child.ring);
  const p = box(parent.ring);
  return c.x0 >= p.x0 && c.x1 <= p.x1 && c.y0 >= p.y0 && c.y1 <= p.y1;
}

/** Two rectangles overlap when their interiors intersect (sharing an edge is fine). */
function overlaps(a: RegionNode, b: RegionNode): boolean {
  const p = box(a.ring);
  const q = box(b.ring);
  return p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1;
}

describe('generateDistrict', { timeout: 60_000 }, () => {
  it('has the real district counts and area', () => {
    expect(district.streets).toHaveLength(DISTRICT_SPEC.streets);
    expect(district.communities).toHaveLength(131);
    expect(district.grids).toHaveLength(364);
    expect(district.compounds).toHaveLength(424);
    expect(district.stations).toHaveLength(300);
    expect(ringAreaKm2(district.district.ring)).toBeCloseTo(43, 0);
    const streetArea = district.streets.reduce((a, s) => a + ringAreaKm2(s.ring), 0);
    const gridArea = district.grids.reduce((a, g) => a + ringAreaKm2(g.ring), 0);
    expect(streetArea).toBeCloseTo(43, 1);
    expect(gridArea).toBeCloseTo(43, 1);
    expect(district.streets.map((s) => s.name.replace('街道', '')).sort()).toEqual(
      ['北院门', '青年路', '桃园路', '北关', '红庙坡', '环城西路', '西关', '土门', '枣园'].sort(),
    );
  });

  it('writes valid GeoJSON: closed counter-clockwise rings, finite coordinates, unique ids', () => {
    const fc = districtGeoJson(district);
    const ids = new Set<string>();
    for (const f of fc.features) {
      expect(ids.has(f.properties.id)).toBe(false);
      ids.add(f.properties.id);
      const g = f.geometry;
      const coords =
        g.type === 'Polygon'
          ? g.coordinates.flat()
          : g.type === 'LineString'
            ? g.coordinates
            : [g.coordinates];
      for (const p of coords) expect(p.length === 2 && p.every(Number.isFinite)).toBe(true);
      if (f.geometry.type === 'Polygon') {
        const ring = f.geometry.coordinates[0]!;
        expect(ring.length).toBeGreaterThanOrEqual(5);
        expect(ring[0]).toEqual(ring[ring.length - 1]);
        expect(ringAreaKm2(ring)).toBeGreaterThan(0);
      }
    }
    expect(fc.features.filter((f) => 'level' in f.properties)).toHaveLength(1 + 9 + 131 + 364);
    expect(
      fc.features.filter((f) => 'featureType' in f.properties && f.properties.featureType === 'road').length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('uses the agreed region ids', () => {
    expect(district.district.id).toBe('D610104');
    expect(district.streets.map((s) => s.id)).toEqual(
      Array.from({ length: 9 }, (_, i) => `D610104-S${String(i + 1).padStart(2, '0')}`),
    );
    for (const c of district.communities) expect(c.id).toMatch(new RegExp(`^${c.parentId}-C\\d{2}$`));
    for (const g of district.grids) expect(g.id).toMatch(new RegExp(`^${g.parentId}-G\\d{2}$`));
  });

  it('nests every grid in its community and every community in its street', () => {
    const byId = new Map([...district.streets, ...district.communities].map((r) => [r.id, r]));
    for (const c of district.communities) expect(within(c, byId.get(c.parentId!)!)).toBe(true);
    for (const g of district.grids) expect(within(g, byId.get(g.parentId!)!)).toBe(true);
    // Street corners, nudged a hair towards the street's centre, lie inside the district outline.
    for (const s of district.streets) {
      const b = box(s.ring);
      const cx = (b.x0 + b.x1) / 2;
      const cy = (b.y0 + b.y1) / 2;
      for (const [x, y] of s.ring) {
        const nudged: [number, number] = [x + Math.sign(cx - x) * 1e-6, y + Math.sign(cy - y) * 1e-6];
        expect(pointInRing(nudged, district.district.ring)).toBe(true);
      }
    }
  });

  it.each([
    ['streets', district.streets],
    ['communities', district.communities],
    ['grids', district.grids],
  ])('has no overlapping %s', (_, regions) => {
    for (let i = 0; i < regions.length; i++)
      for (let j = i + 1; j < regions.length; j++) expect(overlaps(regions[i]!, regions[j]!)).toBe(false);
  });

  it('places every site and every device inside the grid it claims', () => {
    const grids = new Map(district.grids.map((g) => [g.id, g]));
    for (const s of [...district.compounds, ...district.stations]) {
      expect(pointInRing(s.position, grids.get(s.gridId)!.ring)).toBe(true);
    }
    expect(fleet.length).toBeGreaterThan(3500);
    for (const d of fleet) {
      const inside = district.grids.filter((g) => pointInRing(d.position, g.ring));
      expect(inside.map((g) => g.id)).toEqual([d.gridId]);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    expect(JSON.stringify(generateDistrict(DEFAULT_SEED))).toBe(JSON.stringify(district));
    expect(JSON.stringify(generateFleet(generateDistrict(DEFAULT_SEED)))).toBe(JSON.stringify(fleet));
    const other = generateDistrict(7);
    expect(other.grids).toHaveLength(364);
    expect(JSON.stringify(other.grids.map((g) => g.ring))).not.toBe(
      JSON.stringify(district.grids.map((g) => g.ring)),
    );
    expect(JSON.stringify(other.compounds)).not.toBe(JSON.stringify(district.compounds));
  });
});
