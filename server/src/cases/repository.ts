import type { CaseActorKind, CaseSource, CaseState } from '@gridwatch/devices';
import type { Queryable } from '../infra/db/transaction.ts';
import type { DuplicateCandidate, DuplicateProposal } from './core/duplicates.ts';
import type { CaseRow, TransitionRow } from './record.ts';

/**
 * The only writer of `cases`, `case_transitions`, `case_duplicates` and `hotline_systems`.
 * Every function takes the pool or a transaction's client.
 */

export interface NewCase {
  id: string;
  source: CaseSource;
  title: string;
  description: string;
  matterItem: string | null;
  matterVersion: number | null;
  tier: CaseRow['tier'];
  leadDepartment: string | null;
  photoRequired: boolean;
  verificationRequired: boolean;
  lon: number | null;
  lat: number | null;
  path: { district: string | null; street: string | null; community: string | null; grid: string | null };
  reporterKind: CaseActorKind;
  reporterId: string | null;
  contactName: string | null;
  contactPhone: string | null;
  alertId: string | null;
  deviceIds: string[];
  hotlineSystem: string | null;
  externalRef: string | null;
  statusTokenHash: string | null;
  at: Date;
}

/** Inserts a reported case; null when its hotline reference or alert already has one. */
export async function insertCase(c: Queryable, n: NewCase): Promise<CaseRow | null> {
  const { rows } = await c.query<CaseRow>(
    `INSERT INTO cases (id, source, state, title, description, matter_item, matter_version, tier, lead_department,
        photo_required, verification_required, lon, lat, district_id, street_id, community_id, grid_id,
        reporter_kind, reporter_id, contact_name, contact_phone, alert_id, device_ids, hotline_system, external_ref,
        status_token_hash, participant_ids, reported_at, updated_at)
     VALUES ($1, $2, 'reported', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
        $21, $22, $23, $24, $25, $26, $27, $27)
     ON CONFLICT DO NOTHING
     RETURNING *`,
    [
      n.id,
      n.source,
      n.title,
      n.description,
      n.matterItem,
      n.matterVersion,
      n.tier,
      n.leadDepartment,
      n.photoRequired,
      n.verificationRequired,
      n.lon,
      n.lat,
      n.path.district,
      n.path.street,
      n.path.community,
      n.path.grid,
      n.reporterKind,
      n.reporterId,
      n.contactName,
      n.contactPhone,
      n.alertId,
      n.deviceIds,
      n.hotlineSystem,
      n.externalRef,
      n.statusTokenHash,
      n.reporterKind === 'user' && n.reporterId ? [n.reporterId] : [],
      n.at,
    ],
  );
  return rows[0] ?? null;
}

export async function caseById(c: Queryable, id: string, lock = false): Promise<CaseRow | null> {
  const { rows } = await c.query<CaseRow>(`SELECT * FROM cases WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  return rows[0] ?? null;
}

export async function caseByExternalRef(c: Queryable, system: string, ref: string): Promise<CaseRow | null> {
  const { rows } = await c.query<CaseRow>(
    'SELECT * FROM cases WHERE hotline_system = $1 AND external_ref = $2',
    [system, ref],
  );
  return rows[0] ?? null;
}

export async function caseByAlert(c: Queryable, alertId: string): Promise<CaseRow | null> {
  const { rows } = await c.query<CaseRow>('SELECT * FROM cases WHERE alert_id = $1', [alertId]);
  return rows[0] ?? null;
}

export async function caseByTokenHash(c: Queryable, hash: string): Promise<CaseRow | null> {
  const { rows } = await c.query<CaseRow>('SELECT * FROM cases WHERE status_token_hash = $1', [hash]);
  return rows[0] ?? null;
}

export interface CaseUpdate {
  state: CaseState;
  unitId: string | null;
  assigneeId: string | null;
  coUnitIds: string[];
  handlerIds: string[];
  participantIds: string[];
  satisfaction: number | null;
  at: Date;
}

/** Writes a transition's result if the case is still at `version`; null when someone else moved it first. */
export async function updateCase(
  c: Queryable,
  id: string,
  version: number,
  u: CaseUpdate,
): Promise<CaseRow | null> {
  const { rows } = await c.query<CaseRow>(
    `UPDATE cases SET state = $3, unit_id = $4, assignee_id = $5, co_unit_ids = $6, handler_ids = $7,
            participant_ids = $8, satisfaction = $9, version = version + 1, updated_at = $10,
            rated_at = CASE WHEN $9::smallint IS NOT NULL AND satisfaction IS NULL THEN $10 ELSE rated_at END,
            closed_at = CASE WHEN $3 = 'closed' THEN $10 WHEN $3 = 'reopened' THEN NULL ELSE closed_at END
      WHERE id = $1 AND version = $2
      RETURNING *`,
    [
      id,
      version,
      u.state,
      u.unitId,
      u.assigneeId,
      u.coUnitIds,
      u.handlerIds,
      u.participantIds,
      u.satisfaction,
      u.at,
    ],
  );
  return rows[0] ?? null;
}

export async function insertTransition(c: Queryable, t: TransitionRow): Promise<void> {
  await c.query(
    `INSERT INTO case_transitions (case_id, at, action, from_state, to_state, by_kind, by_user, changes, remark, attachment_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      t.case_id,
      t.at,
      t.action,
      t.from_state,
      t.to_state,
      t.by_kind,
      t.by_user,
      JSON.stringify(t.changes),
      t.remark,
      t.attachment_ids,
    ],
  );
}

export async function transitionsOf(c: Queryable, caseId: string): Promise<TransitionRow[]> {
  const { rows } = await c.query<TransitionRow>(
    `SELECT case_id, at, action, from_state, to_state, by_kind, by_user, changes, remark, attachment_ids
       FROM case_transitions WHERE case_id = $1 ORDER BY id`,
    [caseId],
  );
  return rows;
}

/** Open cases that could be the same problem: same grid and item in the window, or sharing a device. */
export async function duplicateCandidates(
  c: Queryable,
  q: { id: string; gridId: string | null; itemCode: string | null; deviceIds: string[]; since: Date },
): Promise<DuplicateCandidate[]> {
  const { rows } = await c.query<{
    id: string;
    state: CaseState;
    grid_id: string | null;
    matter_item: string | null;
    device_ids: string[];
    lon: number | null;
    lat: number | null;
    reported_at: Date;
  }>(
    `SELECT id, state, grid_id, matter_item, device_ids, lon, lat, reported_at FROM cases
      WHERE id <> $1 AND state NOT IN ('closed', 'rejected') AND reported_at >= $5
        AND ((grid_id = $2 AND matter_item = $3) OR device_ids && $4::text[])
      ORDER BY reported_at DESC LIMIT 50`,
    [q.id, q.gridId, q.itemCode, q.deviceIds, q.since],
  );
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    gridId: r.grid_id,
    itemCode: r.matter_item,
    deviceIds: r.device_ids,
    lon: r.lon,
    lat: r.lat,
    reportedAt: r.reported_at.getTime(),
  }));
}

export async function insertDuplicates(
  c: Queryable,
  caseId: string,
  proposals: DuplicateProposal[],
  at: Date,
) {
  if (proposals.length === 0) return;
  await c.query(
    `INSERT INTO case_duplicates (case_id, duplicate_of, score, reason, proposed_at)
     SELECT $1, u.of, u.score, u.reason, $5 FROM unnest($2::uuid[], $3::real[], $4::text[]) AS u(of, score, reason)
     ON CONFLICT DO NOTHING`,
    [
      caseId,
      proposals.map((p) => p.caseId),
      proposals.map((p) => p.score),
      proposals.map((p) => p.reason),
      at,
    ],
  );
}

export async function duplicatesOf(c: Queryable, caseId: string) {
  const { rows } = await c.query<{
    case_id: string;
    number: number;
    state: CaseState;
    score: number;
    reason: string;
    decision: 'merged' | 'distinct' | null;
  }>(
    `SELECT d.duplicate_of AS case_id, c.number, c.state, d.score, d.reason, d.decision
       FROM case_duplicates d JOIN cases c ON c.id = d.duplicate_of
      WHERE d.case_id = $1 ORDER BY d.score DESC`,
    [caseId],
  );
  return rows;
}

export interface CaseFilter {
  /** SQL over `cases` deciding what the caller may see, with its parameters starting at $1. */
  scope: { sql: string; params: unknown[] };
  state?: CaseState | 'open';
  source?: CaseSource;
  unitId?: string;
  assigneeId?: string;
  region?: string;
  matterItem?: string;
  since?: Date;
  limit: number;
  offset: number;
}

export async function listCases(c: Queryable, f: CaseFilter): Promise<{ rows: CaseRow[]; total: number }> {
  const params = [...f.scope.params];
  const where = [f.scope.sql];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.state === 'open') where.push(`state NOT IN ('closed', 'rejected')`);
  else if (f.state) add((p) => `state = ${p}`, f.state);
  if (f.source) add((p) => `source = ${p}`, f.source);
  if (f.unitId) add((p) => `(unit_id = ${p} OR ${p} = ANY(co_unit_ids))`, f.unitId);
  if (f.assigneeId) add((p) => `assignee_id = ${p}`, f.assigneeId);
  if (f.region) {
    add((p) => `(district_id = ${p} OR street_id = ${p} OR community_id = ${p} OR grid_id = ${p})`, f.region);
  }
  if (f.matterItem) add((p) => `matter_item = ${p}`, f.matterItem);
  if (f.since) add((p) => `updated_at >= ${p}`, f.since);
  const filter = where.join(' AND ');
  const n = params.length;
  const [page, total] = await Promise.all([
    c.query<CaseRow>(
      `SELECT * FROM cases WHERE ${filter} ORDER BY updated_at DESC, id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, f.limit, f.offset],
    ),
    c.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE ${filter}`, params),
  ]);
  return { rows: page.rows, total: total.rows[0]?.n ?? 0 };
}

// ---------------------------------------------------------------- hotline systems

export interface HotlineSystemRow {
  id: string;
  name: string;
  webhook_url: string | null;
  enabled: boolean;
  created_by: string;
  created_at: Date;
}

/** False when the id is taken. */
export async function insertHotlineSystem(
  c: Queryable,
  s: { id: string; name: string; keyHash: string; webhookUrl: string | null; by: string; at: Date },
): Promise<boolean> {
  const { rowCount } = await c.query(
    `INSERT INTO hotline_systems (id, name, key_hash, webhook_url, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [s.id, s.name, s.keyHash, s.webhookUrl, s.by, s.at],
  );
  return rowCount === 1;
}

export async function hotlineSystemByKeyHash(c: Queryable, hash: string): Promise<HotlineSystemRow | null> {
  const { rows } = await c.query<HotlineSystemRow>(
    `SELECT id, name, webhook_url, enabled, created_by, created_at FROM hotline_systems WHERE key_hash = $1`,
    [hash],
  );
  return rows[0] ?? null;
}

export async function listHotlineSystems(c: Queryable): Promise<HotlineSystemRow[]> {
  const { rows } = await c.query<HotlineSystemRow>(
    'SELECT id, name, webhook_url, enabled, created_by, created_at FROM hotline_systems ORDER BY id',
  );
  return rows;
}
