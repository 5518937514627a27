/**
 * A small district for the regions, devices, telemetry and stats tests: the demo district
 * id (so the seeded `admin` commander and `officer-s01` see it), two streets, one community
 * each, three square grids side by side.
 *
 *   lon 108.90   108.91   108.92   108.93   108.94
 *        | S01 G01 | S01 G02 |  (gap)  | S02 G01 |     lat 34.20 .. 34.21
 */
export const DISTRICT = 'D610104';
export const S1 = `${DISTRICT}-S01`;
export const S2 = `${DISTRICT}-S02`;
export const C1 = `${S1}-C01`;
export const C2 = `${S2}-C01`;
export const G1A = `${C1}-G01`;
export const G1B = `${C1}-G02`;
export const G2A = `${C2}-G01`;

/** A square grid polygon, `size` degrees wide, with its south-west corner at (lon, lat). */
export const square = (lon: number, lat: number, size = 0.01) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ],
});

/** A region feature in the import format. */
export const region = (
  id: string,
  level: string,
  name: string,
  parentId: string | null,
  geometry: unknown = null,
) => ({
  type: 'Feature',
  properties: { id, level, name, parentId },
  geometry,
});

export function districtGeoJson() {
  return {
    type: 'FeatureCollection',
    features: [
      region(DISTRICT, 'district', '测试区', null),
      region(S1, 'street', '一街道', DISTRICT),
      region(S2, 'street', '二街道', DISTRICT),
      region(C1, 'community', '一社区', S1),
      region(C2, 'community', '二社区', S2),
      region(G1A, 'grid', '一网格', C1, square(108.9, 34.2)),
      region(G1B, 'grid', '二网格', C1, square(108.91, 34.2)),
      region(G2A, 'grid', '三网格', C2, square(108.93, 34.2)),
      {
        type: 'Feature',
        properties: { featureType: 'road', id: 'road-1', name: '环城路', lanes: 4 },
        geometry: {
          type: 'LineString',
          coordinates: [
            [108.9, 34.2],
            [108.94, 34.2],
          ],
        },
      },
      {
        type: 'Feature',
        properties: { featureType: 'compound', id: 'site-0001', name: '幸福小区' },
        geometry: square(108.901, 34.201, 0.002),
      },
    ],
  };
}

/** Positions inside each grid, and one outside every grid. */
export const AT = {
  g1a: [108.905, 34.205],
  g1b: [108.915, 34.205],
  g2a: [108.935, 34.205],
  outside: [108.925, 34.205],
} as const;

export function devicePoint(
  id: string,
  kind: string,
  where: readonly number[],
  extra: Record<string, unknown> = {},
) {
  return {
    type: 'Feature',
    properties: { id, kind, name: `${kind} ${id}`, ...extra },
    geometry: { type: 'Point', coordinates: [...where] },
  };
}
