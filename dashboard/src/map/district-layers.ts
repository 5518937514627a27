import type { GeoJsonFeature, GeoJsonFeatureCollection } from '@gridwatch/devices/api-stats';
import type { ExpressionSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { KIND_COLORS, OFFLINE_COLOR, SEVERITY_COLORS } from '../lib/colors.ts';

export const EMPTY: GeoJsonFeatureCollection = { type: 'FeatureCollection', features: [] };

/** The offline base: nothing but a background; everything else comes from the district's own data. */
export function offlineStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'gridwatch-offline',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#040b18' } }],
  };
}

const sevColor = (fallback: string): ExpressionSpecification => [
  'match',
  ['coalesce', ['feature-state', 'severity'], 'none'],
  'critical',
  SEVERITY_COLORS.critical,
  'major',
  SEVERITY_COLORS.major,
  'minor',
  SEVERITY_COLORS.minor,
  'warning',
  SEVERITY_COLORS.warning,
  fallback,
];

/** Points at which to write a region's name: the centre of its bounding box is enough for streets. */
export function labelPoints(regions: GeoJsonFeatureCollection, level: string): GeoJsonFeatureCollection {
  const features: GeoJsonFeature[] = [];
  for (const f of regions.features) {
    if (f.properties.level !== level) continue;
    const c = centroid(f.geometry.coordinates);
    if (c)
      features.push({
        type: 'Feature',
        properties: { name: String(f.properties.name ?? '') },
        geometry: { type: 'Point', coordinates: c },
      });
  }
  return { type: 'FeatureCollection', features };
}

export function centroid(coords: unknown): [number, number] | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      minX = Math.min(minX, c[0]);
      maxX = Math.max(maxX, c[0]);
      minY = Math.min(minY, c[1]);
      maxY = Math.max(maxY, c[1]);
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(coords);
  return Number.isFinite(minX) ? [(minX + maxX) / 2, (minY + maxY) / 2] : null;
}

export function boundsOf(fc: GeoJsonFeatureCollection): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  for (const f of fc.features) {
    const walk = (c: unknown) => {
      if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
        b = b
          ? [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])]
          : [c[0], c[1], c[0], c[1]];
      } else if (Array.isArray(c)) for (const x of c) walk(x);
    };
    walk(f.geometry.coordinates);
  }
  return b;
}

/**
 * Regions, roads, sites, devices and labels as GPU layers over whatever base style is loaded
 * (the offline background, or the centre's own style server).
 */
export function addDistrictLayers(
  map: MapLibreMap,
  regions: GeoJsonFeatureCollection,
  features: GeoJsonFeatureCollection,
) {
  const level = (l: string): ExpressionSpecification => ['==', ['get', 'level'], l];
  const featureType = (t: string): ExpressionSpecification => ['==', ['get', 'featureType'], t];
  map.addSource('regions', { type: 'geojson', data: regions as never, promoteId: 'id' });
  map.addSource('features', { type: 'geojson', data: features as never });
  map.addSource('street-labels', { type: 'geojson', data: labelPoints(regions, 'street') as never });
  map.addSource('devices', {
    type: 'geojson',
    data: EMPTY as never,
    cluster: true,
    clusterRadius: 42,
    clusterMaxZoom: 15,
    clusterProperties: {
      offline: ['+', ['case', ['==', ['get', 'o'], 0], 1, 0]],
      alerting: ['+', ['case', ['<', ['get', 's'], 9], 1, 0]],
    },
  });

  map.addLayer({
    id: 'district-fill',
    type: 'fill',
    source: 'regions',
    filter: level('district'),
    paint: { 'fill-color': '#071a33', 'fill-opacity': 0.9 },
  });
  map.addLayer({
    id: 'grid-fill',
    type: 'fill',
    source: 'regions',
    filter: level('grid'),
    paint: {
      'fill-color': sevColor('#0b2747'),
      'fill-opacity': [
        'case',
        ['==', ['coalesce', ['feature-state', 'severity'], 'none'], 'none'],
        0.55,
        0.42,
      ],
    },
  });
  map.addLayer({
    id: 'compounds',
    type: 'fill',
    source: 'features',
    filter: ['any', featureType('compound'), featureType('station')],
    paint: { 'fill-color': '#12365c', 'fill-opacity': 0.6 },
  });
  map.addLayer({
    id: 'roads',
    type: 'line',
    source: 'features',
    filter: featureType('road'),
    paint: {
      'line-color': '#1f4f80',
      'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1, 15, 4],
      'line-opacity': 0.8,
    },
  });
  map.addLayer({
    id: 'grid-line',
    type: 'line',
    source: 'regions',
    filter: level('grid'),
    paint: { 'line-color': '#1a4675', 'line-width': 0.6, 'line-opacity': 0.7 },
  });
  map.addLayer({
    id: 'grid-alert-line',
    type: 'line',
    source: 'regions',
    filter: level('grid'),
    paint: { 'line-color': sevColor('rgba(0,0,0,0)'), 'line-width': 1.6 },
  });
  map.addLayer({
    id: 'community-line',
    type: 'line',
    source: 'regions',
    filter: level('community'),
    paint: { 'line-color': '#2a6aa8', 'line-width': 1, 'line-dasharray': [3, 2] },
  });
  map.addLayer({
    id: 'street-line',
    type: 'line',
    source: 'regions',
    filter: level('street'),
    paint: { 'line-color': '#3aa0ff', 'line-width': 2, 'line-opacity': 0.85 },
  });
  map.addLayer({
    id: 'district-glow',
    type: 'line',
    source: 'regions',
    filter: level('district'),
    paint: { 'line-color': '#36c6ff', 'line-width': 10, 'line-opacity': 0.18, 'line-blur': 6 },
  });
  map.addLayer({
    id: 'district-line',
    type: 'line',
    source: 'regions',
    filter: level('district'),
    paint: { 'line-color': '#5fd4ff', 'line-width': 2.5 },
  });

  map.addLayer({
    id: 'device-clusters',
    type: 'circle',
    source: 'devices',
    filter: ['has', 'point_count'],
    paint: {
      'circle-color': [
        'case',
        ['>', ['get', 'alerting'], 0],
        'rgba(255,90,60,0.85)',
        'rgba(30,150,255,0.78)',
      ],
      'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 11, 50, 16, 500, 24, 3000, 32],
      'circle-stroke-color': [
        'case',
        ['>', ['get', 'alerting'], 0],
        'rgba(255,140,120,0.5)',
        'rgba(120,200,255,0.45)',
      ],
      'circle-stroke-width': 5,
    },
  });
  map.addLayer({
    id: 'device-cluster-count',
    type: 'symbol',
    source: 'devices',
    filter: ['has', 'point_count'],
    layout: {
      'icon-image': ['concat', 'n:', ['get', 'point_count_abbreviated']],
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
    },
  });
  map.addLayer({
    id: 'device-points',
    type: 'circle',
    source: 'devices',
    filter: ['!', ['has', 'point_count']],
    paint: {
      'circle-color': [
        'case',
        ['==', ['get', 'o'], 0],
        OFFLINE_COLOR,
        [
          'match',
          ['get', 'k'],
          'camera',
          KIND_COLORS.camera,
          'charger',
          KIND_COLORS.charger,
          'locker',
          KIND_COLORS.locker,
          '#ffffff',
        ],
      ],
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 3, 16, 6],
      'circle-stroke-width': ['case', ['<', ['get', 's'], 9], 2.5, 0.8],
      'circle-stroke-color': [
        'match',
        ['get', 's'],
        0,
        SEVERITY_COLORS.critical,
        1,
        SEVERITY_COLORS.major,
        2,
        SEVERITY_COLORS.minor,
        3,
        SEVERITY_COLORS.warning,
        'rgba(4,11,24,0.8)',
      ],
    },
  });
  // Names last: they stay readable over the clusters.
  map.addLayer({
    id: 'street-labels',
    type: 'symbol',
    source: 'street-labels',
    layout: {
      'icon-image': ['concat', 't:', ['get', 'name']],
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
    },
  });
}
