import type { RegionLevel } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { parseRegionImport } from './region-input.ts';

const square = (x: number, y: number, s = 1) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + s, y],
      [x + s, y + s],
      [x, y + s],
      [x, y],
    ],
  ],
});
const region = (id: string, level: string, parentId: string | null, geometry: unknown = null) => ({
  type: 'Feature',
  properties: { id, level, name: `${level} ${id}`, parentId },
  geometry,
});
const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
const tree = [
  region('D1', 'district', null),
  region('S1', 'street', 'D1'),
  region('C1', 'community', 'S1'),
  region('G1', 'grid', 'C1', square(0, 0)),
];
const none = new Map<string, RegionLevel>();

describe('parseRegionImport', () => {
  it('accepts a consistent tree in any order, and map features', () => {
    const road = {
      type: 'Feature',
      properties: { featureType: 'road', id: 'r1', name: 'Main St', lanes: 4 },
      geometry: {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
    };
    const parsed = parseRegionImport(fc(...[...tree].reverse(), road), none);
    expect(parsed.errors).toEqual([]);
    expect(parsed.regions.map((r) => r.id).sort()).toEqual(['C1', 'D1', 'G1', 'S1']);
    expect(parsed.regions.find((r) => r.id === 'G1')!.bbox).toEqual([0, 0, 1, 1]);
    expect(parsed.features).toEqual([
      { id: 'r1', type: 'road', name: 'Main St', geometry: road.geometry, properties: { lanes: 4 } },
    ]);
  });

  it('lets grids hang off a community stored before', () => {
    const parsed = parseRegionImport(
      fc(region('G2', 'grid', 'C9', square(0, 0))),
      new Map([['C9', 'community']]),
    );
    expect(parsed.errors).toEqual([]);
  });

  const open = square(0, 0);
  open.coordinates[0]!.pop();
  open.coordinates[0]!.push([5, 5]);
  it.each([
    ['not a collection', { type: 'Feature' }, 'body must be a GeoJSON FeatureCollection'],
    ['unknown level', fc(region('X', 'county', null)), 'feature 0 (id "X"): property "level" must be one of'],
    [
      'grid under a street',
      fc(...tree, region('G2', 'grid', 'S1', square(2, 2))),
      'feature 4 (id "G2"): parent "S1" is a street',
    ],
    ['missing parent', fc(region('S2', 'street', 'D9')), 'parent "D9" is neither in the file nor stored'],
    ['district with parent', fc(region('D2', 'district', 'D1')), 'a district has no parentId'],
    [
      'open ring',
      fc(...tree.slice(0, 3), region('G1', 'grid', 'C1', open)),
      'feature 3 (id "G1"): polygon ring 0 is not closed',
    ],
    [
      'infinite coordinate',
      fc(
        region('G9', 'grid', 'C1', {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, null],
              [0, 0],
            ],
          ],
        }),
      ),
      'a coordinate is not a finite number',
    ],
    ['grid without geometry', fc(...tree.slice(0, 3), region('G3', 'grid', 'C1')), 'a grid needs a Polygon'],
    [
      'point grid',
      fc(region('G4', 'grid', 'C1', { type: 'Point', coordinates: [0, 0] })),
      'must be Polygon or MultiPolygon',
    ],
    ['duplicate', fc(...tree, tree[3]), 'feature 4 (id "G1"): duplicate region id (also feature 3)'],
    [
      'bad feature type',
      fc({ type: 'Feature', properties: { featureType: 'river', id: 'x' }, geometry: square(0, 0) }),
      'featureType must be one of',
    ],
    ['bad id', fc(region("'; DROP", 'district', null)), 'property "id" must be'],
  ])('refuses %s, naming the problem', (_name, body, message) => {
    const { errors } = parseRegionImport(body, none);
    expect(errors.join('\n')).toContain(message);
  });
});
