import type {
  AuditEntry,
  DutyShift,
  GridAssignment,
  RegionLevel,
  TeamRole,
  Unit,
  UnitKind,
} from '@gridwatch/devices';
import type { Queryable } from '../infra/db/transaction.ts';
import type { DirectoryRegion, DirectoryShift } from './directory.ts';

/**
 * The organisation's tables: units, grid_assignments, duty_shifts, organisation_audit. Only
 * this module writes them. Every function takes the pool or a transaction's client.
 */
interface UnitRow {
  id: string;
  kind: UnitKind;
  name_zh: string;
  name_en: string;
  region_id: string | null;
  department_type: string | null;
  parent_id: string | null;
  enabled: boolean;
}

const UNIT_COLUMNS = 'id, kind, name_zh, name_en, region_id, department_type, parent_id, enabled';

function toUnit(r: UnitRow): Unit {
  return {
    id: r.id,
    kind: r.kind,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    regionId: r.region_id,
    departmentType: r.department_type,
    parentId: r.parent_id,
    enabled: r.enabled,
  };
}

export async function loadUnits(q: Queryable): Promise<Unit[]> {
  const { rows } = await q.query<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM units ORDER BY id`);
  return rows.map(toUnit);
}

export async function getUnit(q: Queryable, id: string): Promise<Unit | null> {
  const { rows } = await q.query<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM units WHERE id = $1`, [id]);
  return rows[0] ? toUnit(rows[0]) : null;
}

/**
 * Inserts the derived centres; an existing centre keeps its (possibly edited) names and
 * enabled flag and only follows its region's place in the tree. Returns how many are new.
 */
export async function upsertCentres(q: Queryable, centres: readonly Unit[]): Promise<number> {
  if (centres.length === 0) return 0;
  const { rows } = await q.query<{ inserted: boolean }>(
    `INSERT INTO units (id, kind, name_zh, name_en, region_id, parent_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (id) DO UPDATE SET region_id = EXCLUDED.region_id, parent_id = EXCLUDED.parent_id
       WHERE units.region_id IS DISTINCT FROM EXCLUDED.region_id OR units.parent_id IS DISTINCT FROM EXCLUDED.parent_id
     RETURNING (xmax = 0) AS inserted`,
    [
      centres.map((c) => c.id),
      centres.map((c) => c.kind),
      centres.map((c) => c.nameZh),
      centres.map((c) => c.nameEn),
      centres.map((c) => c.regionId),
      centres.map((c) => c.parentId),
    ],
  );
  return rows.filter((r) => r.inserted).length;
}

/** Inserts units that do not exist yet (the default departments); existing ones stay as edited. */
export async function insertMissingUnits(q: Queryable, units: readonly Unit[]): Promise<number> {
  let count = 0;
  for (const u of units) {
    const { rowCount } = await q.query(
      `INSERT INTO units (id, kind, name_zh, name_en, region_id, department_type, parent_id, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [u.id, u.kind, u.nameZh, u.nameEn, u.regionId, u.departmentType, u.parentId, u.enabled],
    );
    count += rowCount ?? 0;
  }
  return count;
}

export interface UnitPatch {
  nameZh?: string;
  nameEn?: string;
  enabled?: boolean;
  departmentType?: string;
  parentId?: string | null;
}

export async function updateUnit(q: Queryable, id: string, patch: UnitPatch): Promise<Unit | null> {
  const { rows } = await q.query<UnitRow>(
    `UPDATE units SET
       name_zh = COALESCE($2, name_zh), name_en = COALESCE($3, name_en), enabled = COALESCE($4, enabled),
       department_type = CASE WHEN kind = 'department' THEN COALESCE($5, department_type) ELSE department_type END,
       parent_id = CASE WHEN $6 THEN $7 ELSE parent_id END, updated_at = now()
     WHERE id = $1 RETURNING ${UNIT_COLUMNS}`,
    [
      id,
      patch.nameZh ?? null,
      patch.nameEn ?? null,
      patch.enabled ?? null,
      patch.departmentType ?? null,
      patch.parentId !== undefined,
      patch.parentId ?? null,
    ],
  );
  return rows[0] ? toUnit(rows[0]) : null;
}

/** Regions as the directory needs them (the regions domain owns the table; this only reads). */
export async function loadRegionTree(q: Queryable): Promise<Array<DirectoryRegion & { name: string }>> {
  const { rows } = await q.query<{ id: string; level: RegionLevel; name: string; parent_id: string | null }>(
    'SELECT id, level, name, parent_id FROM regions ORDER BY id',
  );
  return rows.map((r) => ({ id: r.id, level: r.level, name: r.name, parentId: r.parent_id }));
}

/** The level of each of `ids` that is a known region. */
export async function regionLevels(q: Queryable, ids: readonly string[]): Promise<Map<string, RegionLevel>> {
  const { rows } = await q.query<{ id: string; level: RegionLevel }>(
    'SELECT id, level FROM regions WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.level]));
}

export async function loadAssignments(q: Queryable): Promise<Array<GridAssignment & { userId: string }>> {
  const { rows } = await q.query<{ user_id: string; grid_id: string; team_role: TeamRole }>(
    'SELECT user_id, grid_id, team_role FROM grid_assignments ORDER BY grid_id, created_at, user_id',
  );
  return rows.map((r) => ({ userId: r.user_id, gridId: r.grid_id, teamRole: r.team_role }));
}

export async function assignmentsOf(
  q: Queryable,
  userIds: readonly string[],
): Promise<Map<string, GridAssignment[]>> {
  const { rows } = await q.query<{ user_id: string; grid_id: string; team_role: TeamRole }>(
    'SELECT user_id, grid_id, team_role FROM grid_assignments WHERE user_id = ANY($1::text[]) ORDER BY grid_id',
    [userIds],
  );
  const out = new Map<string, GridAssignment[]>();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ gridId: r.grid_id, teamRole: r.team_role });
    out.set(r.user_id, list);
  }
  return out;
}

/** Replaces a user's grids with `grids` (an empty list removes them all). */
export async function replaceAssignments(
  q: Queryable,
  userId: string,
  grids: readonly GridAssignment[],
): Promise<void> {
  await q.query('DELETE FROM grid_assignments WHERE user_id = $1', [userId]);
  if (grids.length === 0) return;
  await q.query(
    `INSERT INTO grid_assignments (user_id, grid_id, team_role)
     SELECT $1, g, r FROM unnest($2::text[], $3::text[]) AS t(g, r)`,
    [userId, grids.map((g) => g.gridId), grids.map((g) => g.teamRole)],
  );
}

/** Adds assignments that are not there yet (seeding). */
export async function addAssignments(
  q: Queryable,
  userId: string,
  grids: readonly GridAssignment[],
): Promise<void> {
  if (grids.length === 0) return;
  await q.query(
    `INSERT INTO grid_assignments (user_id, grid_id, team_role)
     SELECT $1, g, r FROM unnest($2::text[], $3::text[]) AS t(g, r) ON CONFLICT DO NOTHING`,
    [userId, grids.map((g) => g.gridId), grids.map((g) => g.teamRole)],
  );
}

interface ShiftRow {
  id: string;
  unit_id: string;
  user_id: string;
  starts_at: Date;
  ends_at: Date;
  created_by: string;
}

function toShift(r: ShiftRow): DutyShift {
  return {
    id: r.id,
    unitId: r.unit_id,
    userId: r.user_id,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    createdBy: r.created_by,
  };
}

/** Shifts that have not ended by `since`, for the directory. */
export async function loadShifts(q: Queryable, since: Date): Promise<DirectoryShift[]> {
  const { rows } = await q.query<ShiftRow>(
    'SELECT id, unit_id, user_id, starts_at, ends_at, created_by FROM duty_shifts WHERE ends_at > $1',
    [since],
  );
  return rows.map((r) => ({
    unitId: r.unit_id,
    userId: r.user_id,
    startsAt: r.starts_at.getTime(),
    endsAt: r.ends_at.getTime(),
  }));
}

export async function listShifts(
  q: Queryable,
  unitIds: readonly string[],
  from: Date,
  to: Date,
): Promise<DutyShift[]> {
  const { rows } = await q.query<ShiftRow>(
    `SELECT id, unit_id, user_id, starts_at, ends_at, created_by FROM duty_shifts
      WHERE unit_id = ANY($1::text[]) AND ends_at > $2 AND starts_at < $3
      ORDER BY starts_at, unit_id, user_id LIMIT 2000`,
    [unitIds, from, to],
  );
  return rows.map(toShift);
}

export async function insertShift(q: Queryable, shift: DutyShift): Promise<void> {
  await q.query(
    `INSERT INTO duty_shifts (id, unit_id, user_id, starts_at, ends_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [shift.id, shift.unitId, shift.userId, shift.startsAt, shift.endsAt, shift.createdBy],
  );
}

export async function getShift(q: Queryable, id: string): Promise<DutyShift | null> {
  const { rows } = await q.query<ShiftRow>(
    'SELECT id, unit_id, user_id, starts_at, ends_at, created_by FROM duty_shifts WHERE id = $1',
    [id],
  );
  return rows[0] ? toShift(rows[0]) : null;
}

export async function deleteShift(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM duty_shifts WHERE id = $1', [id]);
  return rowCount === 1;
}

export async function appendAudit(q: Queryable, entry: Omit<AuditEntry, 'at'>): Promise<void> {
  await q.query(
    `INSERT INTO organisation_audit (actor, action, target_type, target_id, changes) VALUES ($1, $2, $3, $4, $5)`,
    [entry.actor, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.changes)],
  );
}

export async function listAudit(
  q: Queryable,
  filter: { targetType?: string; targetId?: string; limit: number },
): Promise<AuditEntry[]> {
  const { rows } = await q.query<{
    at: Date;
    actor: string;
    action: string;
    target_type: string;
    target_id: string;
    changes: Record<string, unknown>;
  }>(
    `SELECT at, actor, action, target_type, target_id, changes FROM organisation_audit
      WHERE ($1::text IS NULL OR target_type = $1) AND ($2::text IS NULL OR target_id = $2)
      ORDER BY id DESC LIMIT $3`,
    [filter.targetType ?? null, filter.targetId ?? null, filter.limit],
  );
  return rows.map((r) => ({
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    changes: r.changes,
  }));
}
