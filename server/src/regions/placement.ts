import {
  type PolygonCoords,
  pointInMultiPolygon,
  type RegionLevel,
  type RegionPath,
} from '@gridwatch/devices';

/** A region as the placement and scope code needs it. */
export interface RegionInfo {
  id: string;
  level: RegionLevel;
  name: string;
  parentId: string | null;
  bbox: [number, number, number, number] | null;
  /** Grids only. */
  polygons: PolygonCoords[] | null;
}

export const UNPLACED: RegionPath = { district: null, street: null, community: null, grid: null };

/** Cells per side of the spatial hash over all grids' extent. */
const CELLS = 64;

/**
 * Finds the grid whose polygon holds a point: a uniform spatial hash over grid bounding
 * boxes narrows the candidates, point-in-polygon decides. Building is O(grids), a lookup is
 * O(grids in one cell), so a city's 400k devices place in well under a second.
 */
export class RegionIndex {
  readonly byId: ReadonlyMap<string, RegionInfo>;
  private readonly grids: RegionInfo[];
  private readonly cells: RegionInfo[][] = [];
  private readonly extent: [number, number, number, number] | null;

  constructor(regions: Iterable<RegionInfo>) {
    const byId = new Map<string, RegionInfo>();
    for (const r of regions) byId.set(r.id, r);
    this.byId = byId;
    this.grids = [...byId.values()].filter((r) => r.level === 'grid' && r.polygons && r.bbox);
    if (this.grids.length === 0) {
      this.extent = null;
      return;
    }
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const g of this.grids) {
      const [a, b, c, d] = g.bbox!;
      minX = Math.min(minX, a);
      minY = Math.min(minY, b);
      maxX = Math.max(maxX, c);
      maxY = Math.max(maxY, d);
    }
    this.extent = [minX, minY, maxX, maxY];
    for (let i = 0; i < CELLS * CELLS; i++) this.cells.push([]);
    for (const g of this.grids) {
      const [a, b, c, d] = g.bbox!;
      const [x0, y0] = this.cell(a, b);
      const [x1, y1] = this.cell(c, d);
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) this.cells[y * CELLS + x]!.push(g);
    }
  }

  private cell(lon: number, lat: number): [number, number] {
    const [minX, minY, maxX, maxY] = this.extent!;
    const fx = maxX > minX ? (lon - minX) / (maxX - minX) : 0;
    const fy = maxY > minY ? (lat - minY) / (maxY - minY) : 0;
    const clamp = (f: number) => Math.min(CELLS - 1, Math.max(0, Math.floor(f * CELLS)));
    return [clamp(fx), clamp(fy)];
  }

  /** The grid holding the point, or null. Where grids overlap, the first imported wins. */
  gridAt(lon: number, lat: number): RegionInfo | null {
    if (!this.extent) return null;
    const [minX, minY, maxX, maxY] = this.extent;
    if (lon < minX || lon > maxX || lat < minY || lat > maxY) return null;
    const [x, y] = this.cell(lon, lat);
    for (const g of this.cells[y * CELLS + x]!) {
      const [a, b, c, d] = g.bbox!;
      if (lon < a || lon > c || lat < b || lat > d) continue;
      if (pointInMultiPolygon([lon, lat], g.polygons!)) return g;
    }
    return null;
  }

  /** District to grid ids of a region, walking up its parents. */
  pathOf(regionId: string | null): RegionPath {
    const path: RegionPath = { ...UNPLACED };
    let current = regionId ? this.byId.get(regionId) : undefined;
    for (let guard = 0; current && guard < 8; guard++) {
      path[current.level] = current.id;
      current = current.parentId ? this.byId.get(current.parentId) : undefined;
    }
    return path;
  }

  /** The region path of a position: all nulls outside every grid or without a position. */
  place(lon: number | null, lat: number | null): RegionPath {
    if (lon === null || lat === null) return { ...UNPLACED };
    const grid = this.gridAt(lon, lat);
    return grid ? this.pathOf(grid.id) : { ...UNPLACED };
  }

  /** Ids of `regionId` and every region below it. */
  descendants(regionId: string): string[] {
    const children = new Map<string, string[]>();
    for (const r of this.byId.values()) {
      if (!r.parentId) continue;
      const list = children.get(r.parentId) ?? [];
      list.push(r.id);
      children.set(r.parentId, list);
    }
    const out: string[] = [];
    const stack = [regionId];
    while (stack.length) {
      const id = stack.pop()!;
      out.push(id);
      stack.push(...(children.get(id) ?? []));
    }
    return out;
  }

  /** Bounding box of a region and everything below it, or null when none has a geometry. */
  boundsOf(regionId: string): [number, number, number, number] | null {
    let out: [number, number, number, number] | null = null;
    for (const id of this.descendants(regionId)) {
      const b = this.byId.get(id)?.bbox;
      if (!b) continue;
      out = out
        ? [Math.min(out[0], b[0]), Math.min(out[1], b[1]), Math.max(out[2], b[2]), Math.max(out[3], b[3])]
        : [...b];
    }
    return out;
  }
}
