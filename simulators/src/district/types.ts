import type { Position, RegionLevel, Ring } from '@gridwatch/devices';
import type { Rect } from './geometry.ts';

/** One region of the simulated district; every level below the district is a rectangle. */
export interface RegionNode {
  id: string;
  level: RegionLevel;
  name: string;
  parentId: string | null;
  /** Closed counter-clockwise outer ring, [lon, lat]. */
  ring: Ring;
  /** The rectangle in local km (absent for the district, whose outline is a staircase of streets). */
  rect?: Rect;
}

export interface Road {
  id: string;
  name: string;
  kind: 'ring' | 'arterial';
  line: Position[];
}

/** A residential compound or a community service station: the `site` of the devices in it. */
export interface Site {
  id: string;
  type: 'compound' | 'station';
  name: string;
  position: Position;
  gridId: string;
  communityId: string;
  streetId: string;
}

export interface District {
  seed: number;
  district: RegionNode;
  streets: RegionNode[];
  communities: RegionNode[];
  grids: RegionNode[];
  roads: Road[];
  compounds: Site[];
  stations: Site[];
}

/** GeoJSON as the server's import takes it (POST /api/regions/import). */
export interface RegionFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: Ring[] };
  properties: { id: string; level: RegionLevel; name: string; parentId: string | null };
}

export interface MapFeature {
  type: 'Feature';
  geometry: { type: 'LineString'; coordinates: Position[] } | { type: 'Point'; coordinates: Position };
  properties: {
    featureType: 'road' | 'compound' | 'station';
    id: string;
    name: string;
    [key: string]: unknown;
  };
}

export interface FeatureCollection<F> {
  type: 'FeatureCollection';
  features: F[];
}
