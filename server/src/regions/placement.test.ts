import { describe, expect, it } from 'vitest';
import { RegionIndex, type RegionInfo } from './placement.ts';

const square = (x: number, y: number, s: number) => [
  [
    [x, y],
    [x + s, y],
    [x + s, y + s],
    [x, y + s],
    [x, y],
  ] as [number, number][],
];
const grid = (id: string, parentId: string, x: number, y: number, s = 1): RegionInfo => ({
  id,
  level: 'grid',
  name: id,
  parentId,
  bbox: [x, y, x + s, y + s],
  polygons: [square(x, y, s)],
});
const regions: RegionInfo[] = [
  { id: 'D', level: 'district', name: 'D', parentId: null, bbox: null, polygons: null },
  { id: 'S', level: 'street', name: 'S', parentId: 'D', bbox: null, polygons: null },
  { id: 'C', level: 'community', name: 'C', parentId: 'S', bbox: null, polygons: null },
  grid('GA', 'C', 108, 34),
  grid('GB', 'C', 109, 34),
  // A triangle: its bounding box covers points the polygon does not.
  {
    id: 'GT',
    level: 'grid',
    name: 'GT',
    parentId: 'C',
    bbox: [110, 34, 111, 35],
    polygons: [
      [
        [
          [110, 34],
          [111, 34],
          [110, 35],
          [110, 34],
        ],
      ],
    ],
  },
];

describe('RegionIndex', () => {
  const index = new RegionIndex(regions);
  it.each([
    [108.5, 34.5, 'GA'],
    [109.5, 34.9, 'GB'],
    [110.2, 34.2, 'GT'],
    [110.9, 34.9, null],
    [107.5, 34.5, null],
    [108.5, 40, null],
  ])('places (%d, %d) in %s', (lon, lat, gridId) => {
    expect(index.gridAt(lon, lat)?.id ?? null).toBe(gridId);
  });

  it('gives the full path of a placed point and nulls otherwise', () => {
    expect(index.place(108.5, 34.5)).toEqual({ district: 'D', street: 'S', community: 'C', grid: 'GA' });
    expect(index.place(null, null)).toEqual({ district: null, street: null, community: null, grid: null });
  });

  it('knows descendants and bounds', () => {
    expect(index.descendants('C').sort()).toEqual(['C', 'GA', 'GB', 'GT']);
    expect(index.boundsOf('D')).toEqual([108, 34, 111, 35]);
    expect(new RegionIndex([]).place(1, 1).grid).toBeNull();
  });

  it('places 40k points quickly among 400 grids', () => {
    const many: RegionInfo[] = [regions[2]!];
    for (let i = 0; i < 20; i++)
      for (let j = 0; j < 20; j++) many.push(grid(`g${i}-${j}`, 'C', i * 0.01, j * 0.01, 0.01));
    const big = new RegionIndex(many);
    const started = performance.now();
    let placed = 0;
    for (let k = 0; k < 40_000; k++) if (big.gridAt(Math.random() * 0.2, Math.random() * 0.2)) placed++;
    expect(placed).toBeGreaterThan(39_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
