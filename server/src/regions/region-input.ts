import {
  bbox,
  MAP_FEATURE_TYPES,
  type MapFeatureType,
  type PolygonCoords,
  REGION_LEVELS,
  type RegionLevel,
} from '@gridwatch/devices';

/**
 * Validation of a region import (a GeoJSON FeatureCollection) into rows, pure. Every problem
 * names the feature (its index and id) so whoever drew the map can find it.
 */
export interface RegionRow {
  id: string;
  level: RegionLevel;
  name: string;
  parentId: string | null;
  /** Polygon or MultiPolygon; optional above grid level. */
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown } | null;
  bbox: [number, number, number, number] | null;
}

export interface MapFeatureRow {
  id: string;
  type: MapFeatureType;
  name: string | null;
  geometry: { type: string; coordinates: unknown };
  /** The feature's other properties, kept as given. */
  properties: Record<string, unknown>;
}

export interface ParsedRegionImport {
  regions: RegionRow[];
  features: MapFeatureRow[];
  errors: string[];
}

const ID_RE = /^[\p{L}\p{N}_.:-]{1,64}$/u;
const MAX_NAME = 200;
const MAX_ERRORS = 50;
const PARENT_LEVEL: Record<RegionLevel, RegionLevel | null> = {
  district: null,
  street: 'district',
  community: 'street',
  grid: 'community',
};
const GEOMETRY_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `p` is not a [lon, lat] position, or null. */
function positionProblem(p: unknown): string | null {
  if (!Array.isArray(p) || p.length < 2) return 'a position is not [lon, lat]';
  const [lon, lat] = p as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat))
    return 'a coordinate is not a finite number';
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return `position [${lon}, ${lat}] is out of range`;
  return null;
}

function ringProblem(ring: unknown, where: string): string | null {
  if (!Array.isArray(ring) || ring.length < 4) return `${where} needs at least 4 positions`;
  for (const p of ring) {
    const problem = positionProblem(p);
    if (problem) return `${where}: ${problem}`;
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) return `${where} is not closed (first position ≠ last)`;
  return null;
}

function polygonProblem(poly: unknown, where: string): string | null {
  if (!Array.isArray(poly) || poly.length === 0) return `${where} has no rings`;
  for (let i = 0; i < poly.length; i++) {
    const problem = ringProblem(poly[i], `${where} ring ${i}`);
    if (problem) return problem;
  }
  return null;
}

/** Polygons of a Polygon or MultiPolygon, assuming it was validated. */
export function polygonsOf(geometry: { type: string; coordinates: unknown }): PolygonCoords[] {
  return geometry.type === 'Polygon'
    ? [geometry.coordinates as PolygonCoords]
    : (geometry.coordinates as PolygonCoords[]);
}

function areaGeometryProblem(g: Record<string, unknown>): string | null {
  if (g.type === 'Polygon') return polygonProblem(g.coordinates, 'polygon');
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'MultiPolygon has no polygons';
    for (let i = 0; i < g.coordinates.length; i++) {
      const problem = polygonProblem(g.coordinates[i], `polygon ${i}`);
      if (problem) return problem;
    }
    return null;
  }
  return `geometry must be Polygon or MultiPolygon, not ${JSON.stringify(g.type)}`;
}

/** Every position in any geometry's coordinates, at whatever nesting depth. */
function anyGeometryProblem(g: Record<string, unknown>): string | null {
  if (typeof g.type !== 'string' || !GEOMETRY_TYPES.includes(g.type))
    return `unsupported geometry type ${JSON.stringify(g.type)}`;
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') return areaGeometryProblem(g);
  const depth = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2 }[g.type] ?? 0;
  const walk = (c: unknown, d: number): string | null => {
    if (d === 0) return positionProblem(c);
    if (!Array.isArray(c) || c.length === 0) return 'empty coordinates';
    for (const x of c) {
      const problem = walk(x, d - 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(g.coordinates, depth);
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

type ReadFeature =
  | { region: RegionRow }
  | { feature: MapFeatureRow }
  | { problem: string; id: string | null };

/** One feature to a region or map feature row, or the problem with it. */
function readFeature(f: unknown): ReadFeature {
  const props = isObject(f) && isObject(f.properties) ? f.properties : null;
  const rawId = props ? (props.id ?? (isObject(f) ? f.id : undefined)) : undefined;
  const id = typeof rawId === 'number' ? String(rawId) : text(rawId);
  const fail = (problem: string): ReadFeature => ({ problem, id });
  if (!isObject(f) || f.type !== 'Feature') return fail('is not a GeoJSON Feature');
  if (!props) return fail('has no properties object');
  // PostgreSQL cannot store NUL, in text or in jsonb.
  if (JSON.stringify(props).includes('\\u0000')) return fail('a property contains a NUL character');
  if (id === null || !ID_RE.test(id)) return fail('property "id" must be 1-64 letters, digits or _ . : -');
  const name = props.name === undefined || props.name === null ? null : text(props.name);
  if (props.name !== undefined && props.name !== null && name === null)
    return fail('property "name" must be a string');
  if (name !== null && name.length > MAX_NAME) return fail(`name is longer than ${MAX_NAME} characters`);
  const geometry = isObject(f.geometry) ? f.geometry : null;

  if (props.featureType !== undefined) {
    if (!(MAP_FEATURE_TYPES as readonly unknown[]).includes(props.featureType))
      return fail(`featureType must be one of ${MAP_FEATURE_TYPES.join(', ')}`);
    if (!geometry) return fail('has no geometry');
    const problem = anyGeometryProblem(geometry);
    if (problem) return fail(problem);
    const { id: _id, name: _name, featureType, ...rest } = props;
    return {
      feature: {
        id,
        type: featureType as MapFeatureType,
        name,
        geometry: { type: geometry.type as string, coordinates: geometry.coordinates },
        properties: rest,
      },
    };
  }

  const level = props.level;
  if (!(REGION_LEVELS as readonly unknown[]).includes(level))
    return fail(`property "level" must be one of ${REGION_LEVELS.join(', ')} (or set featureType)`);
  if (name === null || name.trim() === '') return fail('property "name" is required');
  const parentId = props.parentId === undefined || props.parentId === null ? null : text(props.parentId);
  if (props.parentId !== undefined && props.parentId !== null && parentId === null)
    return fail('property "parentId" must be a string or null');
  if ((level === 'district') !== (parentId === null))
    return fail(level === 'district' ? 'a district has no parentId' : `a ${level} needs a parentId`);
  if (level === 'grid' && !geometry) return fail('a grid needs a Polygon or MultiPolygon geometry');
  if (geometry) {
    const problem = areaGeometryProblem(geometry);
    if (problem) return fail(problem);
  }
  const area = geometry
    ? { type: geometry.type as 'Polygon' | 'MultiPolygon', coordinates: geometry.coordinates }
    : null;
  return {
    region: {
      id,
      level: level as RegionLevel,
      name,
      parentId,
      geometry: area,
      bbox: area ? bbox(polygonsOf(area).flat()) : null,
    },
  };
}

/**
 * Checks a region import. `existingLevels` holds regions already stored (id → level), so a
 * file may add grids to communities imported before. Duplicate ids, unknown levels,
 * parents of the wrong level, open rings and non-finite coordinates are errors.
 */
export function parseRegionImport(
  body: unknown,
  existingLevels: ReadonlyMap<string, RegionLevel>,
): ParsedRegionImport {
  const errors: string[] = [];
  const regions: RegionRow[] = [];
  const features: MapFeatureRow[] = [];
  if (!isObject(body) || body.type !== 'FeatureCollection' || !Array.isArray(body.features))
    return { regions, features, errors: ['body must be a GeoJSON FeatureCollection with a features array'] };

  const seenRegion = new Map<string, number>();
  const seenFeature = new Map<string, number>();
  for (const [index, f] of (body.features as unknown[]).entries()) {
    if (errors.length >= MAX_ERRORS) break;
    const read = readFeature(f);
    if ('problem' in read) {
      errors.push(
        `feature ${index}${read.id !== null ? ` (id ${JSON.stringify(read.id.slice(0, 64))})` : ''}: ${read.problem}`,
      );
      continue;
    }
    const seen = 'region' in read ? seenRegion : seenFeature;
    const row = 'region' in read ? read.region : read.feature;
    const first = seen.get(row.id);
    if (first !== undefined) {
      const what = 'region' in read ? 'region' : 'map feature';
      errors.push(
        `feature ${index} (id ${JSON.stringify(row.id)}): duplicate ${what} id (also feature ${first})`,
      );
      continue;
    }
    seen.set(row.id, index);
    if ('region' in read) regions.push(read.region);
    else features.push(read.feature);
  }

  // Parents are checked once every region of the file is known, in any order.
  const levels = new Map(existingLevels);
  for (const r of regions) levels.set(r.id, r.level);
  for (const r of regions) {
    if (errors.length >= MAX_ERRORS) break;
    if (r.parentId === null) continue;
    const expected = PARENT_LEVEL[r.level];
    const parentLevel = levels.get(r.parentId);
    const index = seenRegion.get(r.id);
    if (parentLevel === undefined)
      errors.push(
        `feature ${index} (id "${r.id}"): parent "${r.parentId}" is neither in the file nor stored`,
      );
    else if (parentLevel !== expected)
      errors.push(
        `feature ${index} (id "${r.id}"): parent "${r.parentId}" is a ${parentLevel}, a ${r.level}'s parent must be a ${expected}`,
      );
  }
  return { regions, features, errors };
}

/** Parents before children, so inserts satisfy the foreign key. */
export function parentsFirst(rows: RegionRow[]): RegionRow[] {
  const order: Record<RegionLevel, number> = { district: 0, street: 1, community: 2, grid: 3 };
  return [...rows].sort((a, b) => order[a.level] - order[b.level]);
}
