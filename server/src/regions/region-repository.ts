import type { GeoJsonFeature, PolygonCoords, RegionLevel } from '@gridwatch/devices';
import type pg from 'pg';
import type { Queryable } from '../infra/db/transaction.ts';
import type { RegionInfo } from './placement.ts';
import { type MapFeatureRow, parentsFirst, polygonsOf, type RegionRow } from './region-input.ts';

/** Rows per statement: unnest arrays keep one round trip per batch. */
const BATCH = 5000;

interface RegionDbRow {
  id: string;
  level: RegionLevel;
  name: string;
  parent_id: string | null;
  geometry: { type: string; coordinates: unknown } | null;
  min_lon: number | null;
  min_lat: number | null;
  max_lon: number | null;
  max_lat: number | null;
}

export async function loadRegions(db: Queryable): Promise<RegionInfo[]> {
  const { rows } = await db.query<RegionDbRow>(
    `SELECT id, level, name, parent_id, CASE WHEN level = 'grid' THEN geometry END AS geometry,
            min_lon, min_lat, max_lon, max_lat
       FROM regions`,
  );
  return rows.map((r) => ({
    id: r.id,
    level: r.level,
    name: r.name,
    parentId: r.parent_id,
    bbox: r.min_lon === null ? null : [r.min_lon, r.min_lat!, r.max_lon!, r.max_lat!],
    polygons: r.geometry ? (polygonsOf(r.geometry) as PolygonCoords[]) : null,
  }));
}

export async function loadRegionLevels(db: Queryable): Promise<Map<string, RegionLevel>> {
  const { rows } = await db.query<{ id: string; level: RegionLevel }>('SELECT id, level FROM regions');
  return new Map(rows.map((r) => [r.id, r.level]));
}

/** Inserts or updates regions, parents first so the foreign key holds. */
export async function upsertRegions(db: Queryable, rows: RegionRow[]): Promise<void> {
  const ordered = parentsFirst(rows);
  for (let i = 0; i < ordered.length; i += BATCH) {
    const batch = ordered.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO regions (id, level, name, parent_id, geometry, min_lon, min_lat, max_lon, max_lat)
       SELECT id, level, name, parent_id, geometry::jsonb, min_lon, min_lat, max_lon, max_lat
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::float8[], $7::float8[], $8::float8[], $9::float8[])
              AS t(id, level, name, parent_id, geometry, min_lon, min_lat, max_lon, max_lat)
       ON CONFLICT (id) DO UPDATE SET level = EXCLUDED.level, name = EXCLUDED.name,
         parent_id = EXCLUDED.parent_id, geometry = EXCLUDED.geometry,
         min_lon = EXCLUDED.min_lon, min_lat = EXCLUDED.min_lat,
         max_lon = EXCLUDED.max_lon, max_lat = EXCLUDED.max_lat`,
      [
        batch.map((r) => r.id),
        batch.map((r) => r.level),
        batch.map((r) => r.name),
        batch.map((r) => r.parentId),
        batch.map((r) => (r.geometry ? JSON.stringify(r.geometry) : null)),
        batch.map((r) => r.bbox?.[0] ?? null),
        batch.map((r) => r.bbox?.[1] ?? null),
        batch.map((r) => r.bbox?.[2] ?? null),
        batch.map((r) => r.bbox?.[3] ?? null),
      ],
    );
  }
}

export async function upsertMapFeatures(db: Queryable, rows: MapFeatureRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO map_features (id, type, name, geometry, properties)
       SELECT id, type, name, geometry::jsonb, properties::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
              AS t(id, type, name, geometry, properties)
       ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name,
         geometry = EXCLUDED.geometry, properties = EXCLUDED.properties`,
      [
        batch.map((r) => r.id),
        batch.map((r) => r.type),
        batch.map((r) => r.name),
        batch.map((r) => JSON.stringify(r.geometry)),
        batch.map((r) => JSON.stringify(r.properties)),
      ],
    );
  }
}

/** Region polygons as GeoJSON features; properties `{id, level, name, parentId}`. */
export async function loadRegionFeatures(db: Queryable): Promise<GeoJsonFeature[]> {
  const { rows } = await db.query<RegionDbRow>(
    `SELECT id, level, name, parent_id, geometry FROM regions WHERE geometry IS NOT NULL ORDER BY id`,
  );
  return rows.map((r) => ({
    type: 'Feature' as const,
    id: r.id,
    properties: { id: r.id, level: r.level, name: r.name, parentId: r.parent_id },
    geometry: r.geometry!,
  }));
}

/** Roads, compounds and stations; properties `{featureType, id, name, ...}`. */
export async function loadMapFeatures(db: Queryable): Promise<GeoJsonFeature[]> {
  const { rows } = await db.query<{
    id: string;
    type: string;
    name: string | null;
    geometry: { type: string; coordinates: unknown };
    properties: Record<string, unknown>;
  }>('SELECT id, type, name, geometry, properties FROM map_features ORDER BY type, id');
  return rows.map((r) => ({
    type: 'Feature' as const,
    id: r.id,
    properties: { ...r.properties, featureType: r.type, id: r.id, name: r.name },
    geometry: r.geometry,
  }));
}
