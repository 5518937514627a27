import type { GeoJsonFeatureCollection } from '@gridwatch/devices/api-stats';
import { describe, expect, it } from 'vitest';
import { boundsOf, centroid, labelPoints } from './district-layers.ts';

const square = (x: number, y: number, s: number) => [
  [
    [x, y],
    [x + s, y],
    [x + s, y + s],
    [x, y + s],
    [x, y],
  ],
];
const fc = (features: Array<{ level: string; name: string; coords: unknown }>): GeoJsonFeatureCollection => ({
  type: 'FeatureCollection',
  features: features.map((f, i) => ({
    type: 'Feature',
    properties: { id: `r${i}`, level: f.level, name: f.name },
    geometry: { type: 'Polygon', coordinates: f.coords },
  })),
});

describe('label placement and bounds from the district’s own polygons', () => {
  it.each([
    [square(0, 0, 2), [1, 1]],
    [square(108.9, 34.2, 0.1), [108.95, 34.25]],
    [
      [square(0, 0, 1), square(4, 4, 1)],
      [2.5, 2.5],
    ],
    [[], null],
  ])('centroid of %j is %j', (coords, expected) => {
    const c = centroid(coords);
    if (expected === null) expect(c).toBeNull();
    else {
      expect(c?.[0]).toBeCloseTo(expected[0]!, 9);
      expect(c?.[1]).toBeCloseTo(expected[1]!, 9);
    }
  });

  it('bounds cover every feature', () => {
    expect(
      boundsOf(
        fc([
          { level: 'grid', name: 'a', coords: square(1, 1, 1) },
          { level: 'grid', name: 'b', coords: square(-1, 3, 1) },
        ]),
      ),
    ).toEqual([-1, 1, 2, 4]);
    expect(boundsOf(fc([]))).toBeNull();
  });

  it('labels only the asked level, one point per region, with its name', () => {
    const points = labelPoints(
      fc([
        { level: 'street', name: '枣园街道', coords: square(0, 0, 2) },
        { level: 'grid', name: 'g', coords: square(0, 0, 1) },
        { level: 'street', name: '土门街道', coords: square(2, 0, 2) },
      ]),
      'street',
    );
    expect(points.features.map((f) => f.properties.name)).toEqual(['枣园街道', '土门街道']);
    expect(points.features[1]?.geometry.coordinates).toEqual([3, 1]);
  });
});
