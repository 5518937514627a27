import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  Alert,
  Case,
  CaseAction,
  CaseActorKind,
  CaseDetail,
  CaseList,
  CaseSource,
  CaseState,
  ResidentCaseStatus,
  User,
} from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { inScope } from '../auth/access.ts';
import { inTransaction, type Queryable } from '../infra/db/transaction.ts';
import { BadRequest, Conflict, Forbidden, NotFound } from '../infra/errors.ts';
import type { RegionIndex } from '../regions/placement.ts';
import { type AutoOpenRule, matchAutoOpen } from './auto-open.ts';
import { proposeDuplicates } from './core/duplicates.ts';
import {
  type ActionPayload,
  type Actor,
  allowedActions,
  DISPATCHING_ROLES,
  decide,
  HANDLING_ROLES,
  RESIDENT_ROLE,
} from './core/machine.ts';
import { type RoutingDirectory, suggestRoute } from './core/routing.ts';
import { CredentialRequired } from './errors.ts';
import { type CaseRow, factsOf, NOBODY, toCase, toTransition } from './record.ts';
import * as repo from './repository.ts';

/** The organisation directory as cases read it (`app.organisation`). */
export interface CaseDirectory extends RoutingDirectory {
  unit(id: string): { id: string; enabled: boolean } | undefined;
  user(id: string): { id: string; disabled: boolean } | undefined;
}

/** The matter catalogue as cases read it (`app.matters`). */
export interface MatterLookup {
  current(): { version: number };
  item(
    code: string,
    version?: number,
  ):
    | {
        code: string;
        nameZh: string;
        tier: 'grid' | 'community' | 'street' | 'district';
        leadDepartment: string;
        photoRequired: boolean;
        verificationRequired: boolean;
      }
    | undefined;
}

export interface CaseServiceDeps {
  db: pg.Pool;
  log: FastifyBaseLogger;
  directory: () => CaseDirectory;
  matters: () => MatterLookup;
  regions: { index(): Promise<RegionIndex>; invalidate(): void };
  alerts: { get(user: User, id: string): Promise<Alert> };
  autoOpen: readonly AutoOpenRule[];
  /** `app.attachments`: the ids a step names must be attachments of that case. */
  attachments: { get(id: string): Promise<{ ownerType: string; ownerId: string; kind: string } | null> };
  /** Called after every commit; `before` is the row as it was (null for a new case). */
  publish(row: CaseRow, change: 'new' | 'update', before: CaseRow | null): void;
  now?: () => Date;
}

/** Where a new case is, what it is about, and who says so. */
export interface IntakeInput {
  source: CaseSource;
  title?: string;
  description: string;
  matterItem?: string;
  gridId?: string;
  lon?: number;
  lat?: number;
  deviceIds?: string[];
  contact?: { name?: string; phone?: string };
  reporter: { kind: CaseActorKind; id: string | null };
  hotlineSystem?: string;
  externalRef?: string;
  alertId?: string;
}

export interface IntakeResult {
  item: Case;
  /** False when the hotline reference (or alert) already had this case. */
  created: boolean;
  /** The resident's status token, shown once. */
  statusToken?: string;
}

export interface CaseQuery {
  state?: CaseState | 'open';
  source?: CaseSource;
  unit?: string;
  mine?: boolean;
  region?: string;
  matterItem?: string;
  since?: string;
  limit?: number;
  offset?: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SYSTEM: Actor = { id: 'system', roles: ['dispatcher'], unitId: null };
const RESIDENT: Actor = { id: 'resident', roles: [RESIDENT_ROLE], unitId: null };

/** The user as the state machine sees them (several roles, a unit). */
export function actorOf(user: User): Actor {
  return {
    id: user.username,
    roles: user.roles?.length ? user.roles : [user.role],
    unitId: user.unitId ?? null,
  };
}

/** A case is visible to users whose region holds it, to its units and to its assignee. */
export function canSee(user: User, row: CaseRow): boolean {
  const actor = actorOf(user);
  const path = {
    district: row.district_id,
    street: row.street_id,
    community: row.community_id,
    grid: row.grid_id,
  };
  if (inScope(user, path) || row.assignee_id === actor.id) return true;
  return actor.unitId !== null && (row.unit_id === actor.unitId || row.co_unit_ids.includes(actor.unitId));
}

function scopeFor(user: User): { sql: string; params: unknown[] } {
  const actor = actorOf(user);
  return {
    sql: `(district_id = $1 OR street_id = $1 OR community_id = $1 OR grid_id = $1 OR assignee_id = $2
           OR unit_id = $3 OR $3 = ANY(co_unit_ids))`,
    params: [user.regionId, actor.id, actor.unitId ?? '\u0000'],
  };
}

const DUPLICATE_WINDOW_MS = 86_400_000;
const TITLE_MAX = 120;

export function createCaseService(deps: CaseServiceDeps) {
  const { db, log } = deps;
  const now = deps.now ?? (() => new Date());

  /** The region path of a grid id or a point; 400 naming the field when it is not a known grid. */
  async function locate(input: { gridId?: string; lon?: number; lat?: number }) {
    const find = async (index: RegionIndex) => {
      if (input.gridId) {
        const grid = index.byId.get(input.gridId);
        return grid?.level === 'grid' ? index.pathOf(grid.id) : null;
      }
      if (input.lon !== undefined && input.lat !== undefined) {
        const path = index.place(input.lon, input.lat);
        return path.grid ? path : null;
      }
      return undefined;
    };
    let path = await find(await deps.regions.index());
    if (path === null) {
      // Regions may have been imported by another instance since the index was loaded.
      deps.regions.invalidate();
      path = await find(await deps.regions.index());
    }
    if (path === undefined) throw new BadRequest('gridId: a grid id or a position (lon, lat) is required');
    if (path === null) {
      throw new BadRequest(
        input.gridId
          ? `gridId: no grid ${input.gridId}`
          : `lon, lat: (${input.lon}, ${input.lat}) lies in no grid`,
      );
    }
    return path;
  }

  function matterOf(code: string | undefined) {
    if (!code) return null;
    const catalogue = deps.matters();
    const item = catalogue.item(code);
    if (!item) throw new BadRequest(`matterItem: no item ${code} in the current catalogue`);
    return { item, version: catalogue.current().version };
  }

  /** Validates a transition's references to units and users against the directory. */
  function checkTargets(payload: ActionPayload) {
    const dir = deps.directory();
    const units = [payload.unitId, ...(payload.coUnitIds ?? [])].filter((u): u is string => !!u);
    for (const id of units) {
      const unit = dir.unit(id);
      if (!unit?.enabled) throw new BadRequest(`unitId: no enabled unit ${id}`);
    }
    if (payload.assigneeId) {
      const user = dir.user(payload.assigneeId);
      if (!user || user.disabled) throw new BadRequest(`assigneeId: no active user ${payload.assigneeId}`);
    }
  }

  /** One step inside a transaction on a locked row: decide, write the case and its transition. */
  async function step(
    tx: Queryable,
    row: CaseRow,
    action: CaseAction,
    actor: Actor,
    byKind: CaseActorKind,
    payload: ActionPayload,
    at: Date,
  ): Promise<CaseRow> {
    const decision = decide(factsOf(row), action, actor, payload);
    if (!decision.ok) {
      if (decision.status === 403) throw new Forbidden(decision.reason);
      if (decision.status === 409) throw new Conflict(decision.reason);
      throw new BadRequest(decision.reason);
    }
    if (action === 'dispatch' || action === 'transfer' || action === 'add-co-handler') checkTargets(payload);
    const c = decision.changes;
    const next = {
      state: decision.to,
      unitId: c.unitId !== undefined ? c.unitId : row.unit_id,
      assigneeId: c.assigneeId !== undefined ? c.assigneeId : row.assignee_id,
      coUnitIds: c.coUnitIds ?? row.co_unit_ids,
      handlerIds: c.handlerIds ?? row.handler_ids,
      participantIds:
        byKind === 'user' && !row.participant_ids.includes(actor.id)
          ? [...row.participant_ids, actor.id]
          : row.participant_ids,
      satisfaction: c.satisfaction ?? row.satisfaction,
      at,
    };
    const changes: Record<string, unknown> = {};
    const note = (field: string, before: unknown, after: unknown) => {
      if (JSON.stringify(before) !== JSON.stringify(after)) changes[field] = [before, after];
    };
    note('unitId', row.unit_id, next.unitId);
    note('assigneeId', row.assignee_id, next.assigneeId);
    note('coUnitIds', row.co_unit_ids, next.coUnitIds);
    note('satisfaction', row.satisfaction, next.satisfaction);
    const updated = await repo.updateCase(tx, row.id, row.version, next);
    if (!updated) throw new Conflict(`stale version: case ${row.number} changed meanwhile; reload it`);
    await repo.insertTransition(tx, {
      case_id: row.id,
      at,
      action,
      from_state: row.state,
      to_state: decision.to,
      by_kind: byKind,
      by_user: byKind === 'resident' ? null : actor.id,
      changes,
      remark: payload.remark?.trim() || null,
      attachment_ids: [...(payload.attachmentIds ?? [])],
    });
    return updated;
  }

  /** Writes a reported case with its first transition and duplicate proposals. */
  async function open(
    tx: Queryable,
    input: IntakeInput,
    path: Awaited<ReturnType<typeof locate>>,
    matter: ReturnType<typeof matterOf>,
    at: Date,
    statusTokenHash: string | null,
  ): Promise<CaseRow | null> {
    const description = input.description.trim();
    const row = await repo.insertCase(tx, {
      id: randomUUID(),
      source: input.source,
      title: (input.title?.trim() || matter?.item.nameZh || description).slice(0, TITLE_MAX),
      description,
      matterItem: matter?.item.code ?? null,
      matterVersion: matter?.version ?? null,
      tier: matter?.item.tier ?? null,
      leadDepartment: matter?.item.leadDepartment ?? null,
      photoRequired: matter?.item.photoRequired ?? false,
      verificationRequired: matter?.item.verificationRequired ?? true,
      lon: input.lon ?? null,
      lat: input.lat ?? null,
      path,
      reporterKind: input.reporter.kind,
      reporterId: input.reporter.id,
      contactName: input.contact?.name?.trim() || null,
      contactPhone: input.contact?.phone?.trim() || null,
      alertId: input.alertId ?? null,
      deviceIds: [...new Set(input.deviceIds ?? [])],
      hotlineSystem: input.hotlineSystem ?? null,
      externalRef: input.externalRef ?? null,
      statusTokenHash,
      at,
    });
    if (!row) return null;
    await repo.insertTransition(tx, {
      case_id: row.id,
      at,
      action: 'report',
      from_state: null,
      to_state: 'reported',
      by_kind: input.reporter.kind,
      by_user: input.reporter.kind === 'resident' ? null : input.reporter.id,
      changes: {},
      remark: null,
      attachment_ids: [],
    });
    const candidates = await repo.duplicateCandidates(tx, {
      id: row.id,
      gridId: row.grid_id,
      itemCode: row.matter_item,
      deviceIds: row.device_ids,
      since: new Date(at.getTime() - DUPLICATE_WINDOW_MS),
    });
    const proposals = proposeDuplicates(
      {
        id: row.id,
        gridId: row.grid_id,
        itemCode: row.matter_item,
        deviceIds: row.device_ids,
        lon: row.lon,
        lat: row.lat,
        reportedAt: at.getTime(),
      },
      candidates,
      { windowMs: DUPLICATE_WINDOW_MS },
    );
    await repo.insertDuplicates(tx, row.id, proposals, at);
    if (proposals.length > 0) log.info({ case: row.id, proposals: proposals.length }, 'duplicates proposed');
    return row;
  }

  async function visibleRow(c: Queryable, user: User, id: string, lock = false): Promise<CaseRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFound(`case ${id}`);
    const row = await repo.caseById(c, id, lock);
    if (!row) throw new NotFound(`case ${id}`);
    if (!canSee(user, row)) throw new Forbidden('this case is outside your region and units');
    return row;
  }

  function suggestionFor(row: CaseRow, at: Date) {
    if (!row.tier) return null;
    const path = {
      district: row.district_id,
      street: row.street_id,
      community: row.community_id,
      grid: row.grid_id,
    };
    return suggestRoute({ tier: row.tier, leadDepartment: row.lead_department }, path, deps.directory(), at);
  }

  /** Accept and dispatch in one go (alerts): to `target`, or where routing suggests, else leave accepted. */
  async function acceptAndDispatch(
    tx: Queryable,
    row: CaseRow,
    actor: Actor,
    byKind: CaseActorKind,
    target: { unitId?: string; assigneeId?: string | null; coUnitIds?: string[] } | null,
    at: Date,
  ) {
    let current = await step(tx, row, 'accept', actor, byKind, {}, at);
    const suggestion = suggestionFor(current, at);
    const unitId = target?.unitId ?? suggestion?.unitId ?? undefined;
    if (!unitId) return current;
    const assigneeId = target?.unitId ? (target.assigneeId ?? null) : (suggestion?.assigneeId ?? null);
    const coUnitIds = target?.coUnitIds ?? [];
    current = await step(
      tx,
      current,
      'dispatch',
      actor,
      byKind,
      { unitId, assigneeId, coUnitIds, remark: target?.unitId ? undefined : suggestion?.reason },
      at,
    );
    return current;
  }

  const needRole = (user: User, roles: readonly string[], what: string) => {
    if (!actorOf(user).roles.some((r) => roles.includes(r))) {
      throw new Forbidden(`${what} needs the role ${roles.join(' or ')}`);
    }
  };

  const service = {
    /** Patrol reports and assignments from logged-in users. */
    async report(
      user: User,
      input: Omit<IntakeInput, 'reporter' | 'hotlineSystem' | 'externalRef' | 'alertId'>,
    ) {
      if (input.source === 'patrol')
        needRole(user, [...HANDLING_ROLES, ...DISPATCHING_ROLES], 'a patrol report');
      else if (input.source === 'assignment') needRole(user, DISPATCHING_ROLES, 'an assignment');
      else throw new BadRequest(`source: ${input.source} cases come in through their own route`);
      const path = await locate(input);
      if (!inScope(user, path)) throw new Forbidden('the place reported is outside your region');
      return service.intake({ ...input, reporter: { kind: 'user', id: user.username } }, path);
    },

    /** Any source: validates place and matter item, writes the case, proposes duplicates. */
    async intake(input: IntakeInput, knownPath?: Awaited<ReturnType<typeof locate>>): Promise<IntakeResult> {
      if (!input.description?.trim()) throw new BadRequest('description: describe the problem');
      const path = knownPath ?? (await locate(input));
      const matter = matterOf(input.matterItem);
      const at = now();
      const token = input.source === 'resident' ? randomBytes(24).toString('base64url') : undefined;
      const created = await inTransaction(db, (tx) =>
        open(tx, input, path, matter, at, token ? sha256(token) : null),
      );
      if (!created) {
        // The idempotency key (hotline reference) already has its case: answer with that one.
        const existing =
          input.hotlineSystem && input.externalRef
            ? await repo.caseByExternalRef(db, input.hotlineSystem, input.externalRef)
            : null;
        if (!existing) throw new Conflict('this report already has a case');
        return { item: toCase(existing, NOBODY), created: false };
      }
      deps.publish(created, 'new', null);
      log.info({ case: created.id, source: input.source, grid: path.grid }, 'case reported');
      return {
        item: toCase(created, actorFor(input)),
        created: true,
        ...(token ? { statusToken: token } : {}),
      };
    },

    /** A dispatcher turns an alert into a case in one call: reported, accepted and dispatched. */
    async openFromAlert(
      alertId: string,
      user: User,
      opts: {
        matterItem?: string;
        unitId?: string;
        assigneeId?: string | null;
        coUnitIds?: string[];
        remark?: string;
      } = {},
    ): Promise<Case> {
      needRole(user, DISPATCHING_ROLES, 'opening a case from an alert');
      const alert = await deps.alerts.get(user, alertId);
      const existing = await repo.caseByAlert(db, alert.id);
      if (existing)
        throw new Conflict(`alert ${alert.id} already has case ${existing.number} (${existing.id})`);
      const row = await openAlertCase(
        alert,
        actorOf(user),
        'user',
        opts.matterItem,
        opts.unitId ? opts : null,
        opts.remark,
      );
      return toCase(row, actorOf(user));
    },

    /** The configured causes open their case by themselves (CASE_AUTO_OPEN). */
    async autoOpen(alert: Alert): Promise<CaseRow | null> {
      const rule = matchAutoOpen(deps.autoOpen, alert);
      if (!rule || alert.state === 'resolved' || !alert.path.grid) return null;
      if (await repo.caseByAlert(db, alert.id)) return null;
      const dir = deps.directory();
      const at = now();
      const centre = suggestRoute({ tier: 'grid', leadDepartment: null }, alert.path, dir, at);
      const coUnitIds = rule.coDepartments
        .map((type) => dir.department(type)?.id)
        .filter((id): id is string => !!id && id !== centre.unitId);
      const target = centre.unitId
        ? { unitId: centre.unitId, assigneeId: centre.assigneeId, coUnitIds }
        : null;
      return openAlertCase(alert, SYSTEM, 'system', rule.item, target, `auto-opened by rule ${rule.cause}`);
    },

    async transition(
      id: string,
      action: CaseAction,
      user: User,
      expectedVersion: number,
      payload: ActionPayload = {},
    ): Promise<Case> {
      const input = { ...payload, action, version: expectedVersion };
      const actor = actorOf(user);
      const photos = await attachmentsOf(id, payload.attachmentIds ?? []);
      const at = now();
      const { before, after } = await inTransaction(db, async (tx) => {
        const row = await visibleRow(tx, user, id, true);
        // The machine answers first (403 without the role, 409 in the wrong state), then the version.
        const probe = decide(factsOf(row), input.action, actor, input);
        if (probe.ok && action === 'submit-feedback' && row.photo_required && photos === 0) {
          throw new BadRequest(
            'attachmentIds: this matter item requires a photo (an image) with the feedback',
          );
        }
        if (probe.ok && row.version !== input.version) {
          throw new Conflict(
            `stale version: case ${row.number} is at version ${row.version}, you sent ${input.version}; reload it`,
          );
        }
        return { before: row, after: await step(tx, row, input.action, actor, 'user', input, at) };
      });
      deps.publish(after, 'update', before);
      log.info({ case: id, action: input.action, by: actor.id, to: after.state }, 'case transition');
      return toCase(after, actor);
    },

    /** Attachment access for owner type `case`: read = may see it; write = may see it and is not a viewer. */
    async attachmentAccess(user: User, id: string, mode: 'read' | 'write'): Promise<boolean> {
      try {
        await visibleRow(db, user, id);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 403) return false;
        throw err;
      }
      return mode === 'read' || actorOf(user).roles.some((r) => r !== 'viewer');
    },

    async get(user: User, id: string): Promise<CaseDetail> {
      const row = await visibleRow(db, user, id);
      const actor = actorOf(user);
      const [transitions, duplicates] = await Promise.all([
        repo.transitionsOf(db, id),
        repo.duplicatesOf(db, id),
      ]);
      const canDispatch = actor.roles.some((r) => (DISPATCHING_ROLES as readonly string[]).includes(r));
      return {
        ...toCase(row, actor),
        transitions: transitions.map(toTransition),
        duplicates: duplicates.map((d) => ({
          caseId: d.case_id,
          number: d.number,
          state: d.state,
          score: d.score,
          reason: d.reason,
          decision: d.decision,
        })),
        allowedActions: allowedActions(factsOf(row), actor),
        suggestion: canDispatch ? suggestionFor(row, now()) : null,
      };
    },

    async list(user: User, q: CaseQuery): Promise<CaseList> {
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const { rows, total } = await repo.listCases(db, {
        scope: scopeFor(user),
        state: q.state,
        source: q.source,
        unitId: q.unit,
        assigneeId: q.mine ? user.username : undefined,
        region: q.region,
        matterItem: q.matterItem,
        since: q.since ? new Date(q.since) : undefined,
        limit,
        offset,
      });
      const actor = actorOf(user);
      return { items: rows.map((r) => toCase(r, actor)), total, limit, offset };
    },

    /** Open cases in the user's sight plus those changed since `since`; contacts masked (as on the socket). */
    async sync(user: User, since?: string): Promise<Case[]> {
      const scope = scopeFor(user);
      const params = [...scope.params];
      let changed = '';
      if (since && !Number.isNaN(Date.parse(since))) {
        params.push(new Date(since));
        changed = ` OR updated_at >= $${params.length}`;
      }
      const { rows } = await db.query<CaseRow>(
        `SELECT * FROM cases WHERE ${scope.sql} AND (state NOT IN ('closed', 'rejected')${changed})
          ORDER BY updated_at DESC LIMIT 5000`,
        params,
      );
      return rows.map((r) => toCase(r, NOBODY));
    },

    /** What the resident sees with their token; 401 for an unknown token. */
    async residentStatus(token: string): Promise<ResidentCaseStatus> {
      const row = await repo.caseByTokenHash(db, sha256(token));
      if (!row) throw new CredentialRequired('status link');
      const transitions = await repo.transitionsOf(db, row.id);
      return {
        number: row.number,
        state: row.state,
        title: row.title,
        reportedAt: row.reported_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
        closedAt: row.closed_at?.toISOString() ?? null,
        satisfaction: row.satisfaction,
        steps: transitions.map((t) => ({
          at: t.at.toISOString(),
          to: t.to_state,
          remark: t.action === 'reject' || t.action === 'submit-feedback' ? t.remark : null,
        })),
        canRate: decide(factsOf(row), 'rate', RESIDENT, { satisfaction: 5 }).ok,
      };
    },

    async residentRate(token: string, satisfaction: number, remark?: string): Promise<ResidentCaseStatus> {
      const hash = sha256(token);
      const at = now();
      const { before, after } = await inTransaction(db, async (tx) => {
        const found = await repo.caseByTokenHash(tx, hash);
        if (!found) throw new CredentialRequired('status link');
        const row = (await repo.caseById(tx, found.id, true))!;
        return {
          before: row,
          after: await step(tx, row, 'rate', RESIDENT, 'resident', { satisfaction, remark }, at),
        };
      });
      deps.publish(after, 'update', before);
      return service.residentStatus(token);
    },
  };

  /** Checks every id is an attachment of this case; returns how many are images. */
  async function attachmentsOf(caseId: string, ids: readonly string[]): Promise<number> {
    let images = 0;
    for (const attachmentId of new Set(ids)) {
      const info = await deps.attachments.get(attachmentId);
      if (info?.ownerType !== 'case' || info.ownerId !== caseId) {
        throw new BadRequest(`attachmentIds: ${attachmentId} is not an attachment of this case`);
      }
      if (info.kind === 'image') images++;
    }
    return images;
  }

  /** The viewer of a fresh intake's answer: the reporting user sees their own contact entry in full. */
  function actorFor(input: IntakeInput): Actor {
    return input.reporter.kind === 'user' && input.reporter.id
      ? { id: input.reporter.id, roles: [], unitId: null }
      : NOBODY;
  }

  async function openAlertCase(
    alert: Alert,
    actor: Actor,
    byKind: CaseActorKind,
    itemCode: string | undefined,
    target: { unitId?: string; assigneeId?: string | null; coUnitIds?: string[] } | null,
    remark?: string,
  ): Promise<CaseRow> {
    if (!alert.path.grid) throw new BadRequest(`alert ${alert.id}: its device lies in no grid`);
    const matter = matterOf(itemCode);
    const at = now();
    const input: IntakeInput = {
      source: 'alert',
      title: alert.message,
      description: remark ? `${alert.message}\n${remark}` : alert.message,
      matterItem: itemCode,
      lon: alert.lon ?? undefined,
      lat: alert.lat ?? undefined,
      deviceIds: alert.deviceIds,
      reporter: { kind: byKind, id: actor.id },
      alertId: alert.id,
    };
    const path = { ...alert.path };
    const row = await inTransaction(db, async (tx) => {
      const reported = await open(tx, input, path, matter, at, null);
      if (!reported) throw new Conflict(`alert ${alert.id} already has a case`);
      return acceptAndDispatch(tx, reported, actor, byKind, target, at);
    });
    deps.publish(row, 'new', null);
    log.info(
      { case: row.id, alert: alert.id, state: row.state, unit: row.unit_id, by: actor.id },
      'case from alert',
    );
    return row;
  }

  return service;
}

export type CaseService = ReturnType<typeof createCaseService>;
