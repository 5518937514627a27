import type { Device, DeviceKind, ProvisioningState, RegionPath } from '@gridwatch/devices';
import type pg from 'pg';
import type { Queryable } from '../infra/db/transaction.ts';
import type { RegionIndex } from '../regions/placement.ts';
import type { DirectoryEntry } from './directory.ts';
import type { DeviceInput } from './input.ts';

/**
 * The `devices` table's one repository: nothing else in the server writes the table, and
 * other domains read devices through the registry's directory or the functions here.
 */

/** Rows per statement for bulk writes. */
const BATCH = 5000;

export interface DeviceRow {
  id: string;
  kind: DeviceKind;
  name: string;
  lon: number | null;
  lat: number | null;
  site: string | null;
  grid_id: string | null;
  community_id: string | null;
  street_id: string | null;
  district_id: string | null;
  attributes: Record<string, unknown>;
  online: boolean;
  last_seen: Date | null;
  provisioning: ProvisioningState;
  provisioning_error: string | null;
}

export const DEVICE_COLUMNS =
  'id, kind, name, lon, lat, site, grid_id, community_id, street_id, district_id, attributes, online, last_seen, provisioning, provisioning_error';

export function toDevice(r: DeviceRow): Device {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    lon: r.lon,
    lat: r.lat,
    site: r.site,
    gridId: r.grid_id,
    path: { district: r.district_id, street: r.street_id, community: r.community_id, grid: r.grid_id },
    online: r.online,
    lastSeen: r.last_seen ? r.last_seen.toISOString() : null,
    attributes: r.attributes,
    provisioning: r.provisioning,
    provisioningError: r.provisioning_error,
  };
}

/**
 * Inserts or updates devices with their region path, `BATCH` rows per statement through
 * unnest arrays. Online state and last-seen belong to ingest and are left alone; broker
 * provisioning starts over (`pending`) until the identity domain says otherwise.
 */
export async function upsertDevices(
  db: Queryable,
  devices: Array<DeviceInput & { path: RegionPath }>,
): Promise<void> {
  for (let i = 0; i < devices.length; i += BATCH) {
    const b = devices.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO devices (id, kind, name, lon, lat, site, grid_id, community_id, street_id, district_id, attributes)
       SELECT id, kind, name, lon, lat, site, grid_id, community_id, street_id, district_id, attributes::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
              AS t(id, kind, name, lon, lat, site, grid_id, community_id, street_id, district_id, attributes)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, lon = EXCLUDED.lon,
         lat = EXCLUDED.lat, site = EXCLUDED.site, grid_id = EXCLUDED.grid_id,
         community_id = EXCLUDED.community_id, street_id = EXCLUDED.street_id,
         district_id = EXCLUDED.district_id, attributes = EXCLUDED.attributes,
         provisioning = 'pending', provisioning_error = NULL`,
      [
        b.map((d) => d.id),
        b.map((d) => d.kind),
        b.map((d) => d.name),
        b.map((d) => d.lon),
        b.map((d) => d.lat),
        b.map((d) => d.site),
        b.map((d) => d.path.grid),
        b.map((d) => d.path.community),
        b.map((d) => d.path.street),
        b.map((d) => d.path.district),
        b.map((d) => JSON.stringify(d.attributes)),
      ],
    );
  }
}

export async function insertDevice(db: Queryable, d: DeviceInput & { path: RegionPath }): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO devices (id, kind, name, lon, lat, site, grid_id, community_id, street_id, district_id, attributes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) ON CONFLICT (id) DO NOTHING`,
    [
      d.id,
      d.kind,
      d.name,
      d.lon,
      d.lat,
      d.site,
      d.path.grid,
      d.path.community,
      d.path.street,
      d.path.district,
      JSON.stringify(d.attributes),
    ],
  );
  return res.rowCount === 1;
}

export async function getDevice(db: Queryable, id: string): Promise<Device | null> {
  const { rows } = await db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [id]);
  return rows[0] ? toDevice(rows[0]) : null;
}

/** Records what the identity domain found: `BATCH` devices per statement. */
export async function setProvisioning(
  db: Queryable,
  ids: string[],
  state: ProvisioningState,
  errors?: string[],
): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await db.query(
      `UPDATE devices d SET provisioning = $2, provisioning_error = t.error
         FROM unnest($1::text[], $3::text[]) AS t(id, error) WHERE d.id = t.id`,
      [
        ids.slice(i, i + BATCH),
        state,
        errors ? errors.slice(i, i + BATCH) : ids.slice(i, i + BATCH).map(() => null),
      ],
    );
  }
}

export interface DeviceFilter {
  /** SQL condition over the devices table restricting to the caller's scope; `$1` is bound to `scopeParam`. */
  scope: string;
  scopeParam: string;
  kind?: DeviceKind;
  /** Region id (any level). */
  region?: string;
  online?: boolean;
  provisioning?: ProvisioningState;
  /** Matches id, name or site, case-insensitive substring. */
  q?: string;
  limit: number;
  offset: number;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listDevices(
  db: Queryable,
  f: DeviceFilter,
): Promise<{ items: Device[]; total: number }> {
  const where = [f.scope];
  const params: unknown[] = [f.scopeParam];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.kind) add((p) => `kind = ${p}`, f.kind);
  if (f.region)
    add((p) => `(district_id = ${p} OR street_id = ${p} OR community_id = ${p} OR grid_id = ${p})`, f.region);
  if (f.online !== undefined) add((p) => `online = ${p}`, f.online);
  if (f.provisioning) add((p) => `provisioning = ${p}`, f.provisioning);
  if (f.q) add((p) => `(id ILIKE ${p} OR name ILIKE ${p} OR site ILIKE ${p})`, likePattern(f.q));
  const condition = where.join(' AND ');
  const total = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM devices WHERE ${condition}`,
    params,
  );
  const page = await db.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ${condition}
      ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return { items: page.rows.map(toDevice), total: total.rows[0]?.n ?? 0 };
}

const DIRECTORY_COLUMNS = 'id, kind, name, site, lon, lat, grid_id, community_id, street_id, district_id';

type DirectoryRow = Pick<
  DeviceRow,
  'id' | 'kind' | 'name' | 'site' | 'lon' | 'lat' | 'grid_id' | 'community_id' | 'street_id' | 'district_id'
>;

function pathOf(r: Pick<DeviceRow, 'grid_id' | 'community_id' | 'street_id' | 'district_id'>): RegionPath {
  return { district: r.district_id, street: r.street_id, community: r.community_id, grid: r.grid_id };
}

export function toEntry(r: DirectoryRow): DirectoryEntry {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    site: r.site,
    lon: r.lon,
    lat: r.lat,
    gridId: r.grid_id,
    path: pathOf(r),
  };
}

/** Directory entries of every device, or of the given ones (those stored). */
export async function loadEntries(db: Queryable, ids?: readonly string[]): Promise<DirectoryEntry[]> {
  const { rows } = ids
    ? await db.query<DirectoryRow>(`SELECT ${DIRECTORY_COLUMNS} FROM devices WHERE id = ANY($1::text[])`, [
        ids,
      ])
    : await db.query<DirectoryRow>(`SELECT ${DIRECTORY_COLUMNS} FROM devices ORDER BY id`);
  return rows.map(toEntry);
}

/**
 * Places every device again against `index` and writes back only the devices whose path
 * changed, in batches. Returns how many devices are inside a grid and how many are not,
 * and the moves made.
 */
export async function placeAllDevices(
  db: Queryable,
  index: RegionIndex,
): Promise<{ placed: number; unplaced: number; moved: Array<{ id: string; path: RegionPath }> }> {
  const { rows } = await db.query<{
    id: string;
    lon: number | null;
    lat: number | null;
    grid_id: string | null;
    community_id: string | null;
    street_id: string | null;
    district_id: string | null;
  }>('SELECT id, lon, lat, grid_id, community_id, street_id, district_id FROM devices');
  let placed = 0;
  const moved: Array<{ id: string; path: RegionPath }> = [];
  for (const d of rows) {
    const path = index.place(d.lon, d.lat);
    if (path.grid) placed++;
    if (
      path.grid !== d.grid_id ||
      path.community !== d.community_id ||
      path.street !== d.street_id ||
      path.district !== d.district_id
    )
      moved.push({ id: d.id, path });
  }
  for (let i = 0; i < moved.length; i += BATCH) {
    const batch = moved.slice(i, i + BATCH);
    await db.query(
      `UPDATE devices d SET grid_id = t.grid_id, community_id = t.community_id,
              street_id = t.street_id, district_id = t.district_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
              AS t(id, grid_id, community_id, street_id, district_id)
        WHERE d.id = t.id`,
      [
        batch.map((c) => c.id),
        batch.map((c) => c.path.grid),
        batch.map((c) => c.path.community),
        batch.map((c) => c.path.street),
        batch.map((c) => c.path.district),
      ],
    );
  }
  return { placed, unplaced: rows.length - placed, moved };
}

/** Devices per grid (null = unplaced), for the region tree's counts. */
export async function deviceCountsByGrid(db: Queryable): Promise<Map<string | null, number>> {
  const { rows } = await db.query<{ grid_id: string | null; n: number }>(
    'SELECT grid_id, count(*)::int AS n FROM devices GROUP BY grid_id',
  );
  return new Map(rows.map((r) => [r.grid_id, r.n]));
}

/**
 * Sets devices online or offline (the last status of each in a batch); only the rows whose
 * state changed come back, so the bus hears of changes, not of repeats.
 */
export async function setOnline(
  db: Queryable,
  ids: readonly string[],
  online: readonly boolean[],
): Promise<Array<{ id: string; kind: DeviceKind; online: boolean }>> {
  const { rows } = await db.query<{ id: string; kind: DeviceKind; online: boolean }>(
    `UPDATE devices d SET online = u.online
       FROM unnest($1::text[], $2::boolean[]) AS u(id, online)
      WHERE d.id = u.id AND d.online IS DISTINCT FROM u.online
      RETURNING d.id, d.kind, d.online`,
    [ids, online],
  );
  return rows;
}

/** Marks when devices were last heard from (batched by the caller: not per message). */
export async function updateLastSeen(db: Queryable, seen: Map<string, number>): Promise<void> {
  const ids = [...seen.keys()].sort(); // one lock order across instances
  await db.query(
    `UPDATE devices d SET last_seen = GREATEST(d.last_seen, u.at)
     FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
     WHERE d.id = u.id`,
    [ids, ids.map((id) => new Date(seen.get(id)!).toISOString())],
  );
}
