import type { District, FeatureCollection, MapFeature, RegionFeature } from './types.ts';

/** Regions in the server's import format: properties {id, level, name, parentId}. */
export function regionFeatures(d: District): RegionFeature[] {
  return [d.district, ...d.streets, ...d.communities, ...d.grids].map((r) => ({
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [r.ring] },
    properties: { id: r.id, level: r.level, name: r.name, parentId: r.parentId },
  }));
}

/** Roads, compounds and stations: properties {featureType, id, name, ...}. */
export function mapFeatures(d: District): MapFeature[] {
  const roads: MapFeature[] = d.roads.map((r) => ({
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: r.line },
    properties: { featureType: 'road', id: r.id, name: r.name, roadKind: r.kind },
  }));
  const sites: MapFeature[] = [...d.compounds, ...d.stations].map((s) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: s.position },
    properties: { featureType: s.type, id: s.id, name: s.name, gridId: s.gridId },
  }));
  return [...roads, ...sites];
}

/** Everything POST /api/regions/import takes, in one collection. */
export function districtGeoJson(d: District): FeatureCollection<RegionFeature | MapFeature> {
  return { type: 'FeatureCollection', features: [...regionFeatures(d), ...mapFeatures(d)] };
}
