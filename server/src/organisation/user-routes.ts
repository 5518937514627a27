import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AuditEntry, type GridAssignment, ManagedUser, type Role, type User } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { UsernameTaken } from '../auth/errors.ts';
import type { UserRecord } from '../auth/users.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { BadRequest, Conflict, Forbidden, NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { canManageUsers, diff, resolveRoles } from './access.ts';
import {
  appendAudit,
  assignmentsOf,
  getUnit,
  listAudit,
  regionLevels,
  replaceAssignments,
} from './repository.ts';
import { CreateUserBody, GridsBody, PasswordBody, UpdateUserBody, UsernameParams } from './schemas.ts';
import type { OrganisationService } from './service.ts';

const Ok = Type.Object({ ok: Type.Boolean() });

function managed(u: UserRecord, grids: GridAssignment[]): ManagedUser {
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    roles: u.roles,
    regionId: u.regionId,
    unitId: u.unitId,
    disabledAt: u.disabledAt ? u.disabledAt.toISOString() : null,
    grids,
  };
}

/**
 * User management (commanders only, inside their region): create, edit, roles, unit, grid
 * team, disable and enable, password reset. Every change is written to organisation_audit
 * in the same transaction; disabling ends the user's sessions and closes their sockets.
 */
export function userRoutes(app: FastifyInstance, service: OrganisationService): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const users = app.auth.users;
  const dir = () => service.directory;

  // Region checks read the regions table, not the directory: a region imported a moment ago counts.
  const lineage = (regionId: string) => users.regionLineage(regionId);

  /** The region a user is given must exist and lie inside the commander's. */
  const checkRegion = async (me: User, regionId: string) => {
    if (regionId === me.regionId) return;
    const up = await lineage(regionId);
    if (up.length === 0) throw new BadRequest(`regionId: unknown region ${regionId}`);
    if (!canManageUsers(me, up)) throw new Forbidden(`region ${regionId} is outside your region`);
  };

  const loadTarget = async (me: User, username: string): Promise<UserRecord> => {
    const target = await users.get(username);
    if (!target) throw new NotFound(`user ${username}`);
    if (target.regionId !== me.regionId && !canManageUsers(me, await lineage(target.regionId))) {
      throw new Forbidden(`user ${username} is outside your region`);
    }
    return target;
  };

  const checkUnit = async (me: User, unitId: string | null | undefined) => {
    if (unitId == null) return;
    const unit = await getUnit(app.db, unitId);
    if (!unit) throw new BadRequest(`unitId: unknown unit ${unitId}`);
    // Departments serve the whole district: only a district-level commander staffs them.
    const myLineage = await lineage(me.regionId);
    const region = unit.regionId ?? myLineage.at(-1) ?? me.regionId;
    if (region !== me.regionId && !canManageUsers(me, await lineage(region)))
      throw new Forbidden(`unit ${unitId} is outside your region`);
  };

  const checkGrids = async (me: User, grids: readonly GridAssignment[] | undefined) => {
    if (!grids?.length) return;
    const ids = grids.map((g) => g.gridId);
    if (new Set(ids).size !== ids.length) throw new BadRequest('grids: a grid is listed twice');
    const levels = await regionLevels(app.db, ids);
    for (const [i, g] of grids.entries()) {
      if (levels.get(g.gridId) !== 'grid')
        throw new BadRequest(`grids[${i}].gridId: ${g.gridId} is not a known grid`);
      if (!canManageUsers(me, await lineage(g.gridId)))
        throw new Forbidden(`grid ${g.gridId} is outside your region`);
    }
  };

  const commanderOnly = (me: User) => {
    if (!canManageUsers(me, [me.regionId])) throw new Forbidden('only commanders manage users');
  };

  routes.get(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Users in the commander’s region, with their roles, unit and grids (commander only)',
        response: { 200: Type.Array(ManagedUser) },
      },
    },
    async (request) => {
      const me = requireUser(request);
      commanderOnly(me);
      const list = await users.listInRegion(me.regionId);
      const grids = await assignmentsOf(
        app.db,
        list.map((u) => u.username),
      );
      return list.map((u) => managed(u, grids.get(u.username) ?? []));
    },
  );

  routes.get(
    '/api/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: 'One user (commander only, inside their region)',
        params: UsernameParams,
        response: { 200: ManagedUser },
      },
    },
    async (request) => {
      const me = requireUser(request);
      commanderOnly(me);
      const target = await loadTarget(me, request.params.username);
      const grids = await assignmentsOf(app.db, [target.username]);
      return managed(target, grids.get(target.username) ?? []);
    },
  );

  routes.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user in the commander’s region (commander only)',
        body: CreateUserBody,
        response: { 201: ManagedUser },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      commanderOnly(me);
      const { password, grids = [], ...body } = request.body;
      const roles = resolveRoles(body.role, body.roles);
      if (typeof roles === 'string') throw new BadRequest(roles);
      await checkRegion(me, body.regionId);
      await checkUnit(me, body.unitId);
      await checkGrids(me, grids);
      const user: User = {
        username: body.username,
        displayName: body.displayName,
        role: roles[0]!,
        roles,
        regionId: body.regionId,
        unitId: body.unitId ?? null,
      };
      const created = await inTransaction(app.db, async (tx) => {
        if (!(await users.create(user, password, tx))) return null;
        await replaceAssignments(tx, user.username, grids);
        await appendAudit(tx, {
          actor: me.username,
          action: 'user.create',
          targetType: 'user',
          targetId: user.username,
          changes: { ...user, grids },
        });
        return users.get(user.username, tx);
      });
      if (!created) throw new UsernameTaken(user.username);
      await service.reload();
      request.log.info({ by: me.username, username: user.username, roles }, 'user created');
      return reply.code(201).send(managed(created, grids));
    },
  );

  routes.patch(
    '/api/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: 'Edit a user: name, roles, region, unit, grids (commander only, inside their region)',
        params: UsernameParams,
        body: UpdateUserBody,
        response: { 200: ManagedUser },
      },
    },
    async (request) => {
      const me = requireUser(request);
      commanderOnly(me);
      const target = await loadTarget(me, request.params.username);
      const { grids, ...body } = request.body;
      let roles: Role[] | undefined;
      if (body.role !== undefined || body.roles !== undefined) {
        const resolved = resolveRoles(body.role, body.roles ?? (body.role ? undefined : target.roles));
        if (typeof resolved === 'string') throw new BadRequest(resolved);
        roles = resolved;
        if (target.username === me.username && !roles.includes('commander'))
          throw new Conflict('roles: you cannot take the commander role from yourself');
      }
      if (body.regionId !== undefined) await checkRegion(me, body.regionId);
      await checkUnit(me, body.unitId);
      await checkGrids(me, grids);
      const before = await assignmentsOf(app.db, [target.username]);
      const updated = await inTransaction(app.db, async (tx) => {
        const after = await users.update(
          target.username,
          { displayName: body.displayName, roles, regionId: body.regionId, unitId: body.unitId },
          tx,
        );
        if (!after) throw new NotFound(`user ${target.username}`);
        if (grids) await replaceAssignments(tx, target.username, grids);
        const changes = diff(
          { ...target, grids: before.get(target.username) ?? [] },
          {
            displayName: after.displayName,
            roles: after.roles,
            regionId: after.regionId,
            unitId: after.unitId,
            ...(grids ? { grids } : {}),
          },
        );
        await appendAudit(tx, {
          actor: me.username,
          action: 'user.update',
          targetType: 'user',
          targetId: target.username,
          changes,
        });
        return after;
      });
      await service.reload();
      // Sessions carry the user as stored: the next request sees the new roles and region.
      const now = await assignmentsOf(app.db, [target.username]);
      return managed(updated, now.get(target.username) ?? []);
    },
  );

  routes.put(
    '/api/users/:username/grids',
    {
      schema: {
        tags: ['users'],
        summary: 'Replace the grids a user patrols, with their 3+2+N team role (commander only)',
        params: UsernameParams,
        body: GridsBody,
        response: { 200: ManagedUser },
      },
    },
    async (request) => {
      const me = requireUser(request);
      commanderOnly(me);
      const target = await loadTarget(me, request.params.username);
      await checkGrids(me, request.body.grids);
      const before = (await assignmentsOf(app.db, [target.username])).get(target.username) ?? [];
      await inTransaction(app.db, async (tx) => {
        await replaceAssignments(tx, target.username, request.body.grids);
        await appendAudit(tx, {
          actor: me.username,
          action: 'user.grids',
          targetType: 'user',
          targetId: target.username,
          changes: { grids: { from: before, to: request.body.grids } },
        });
      });
      await service.reload();
      return managed(target, request.body.grids);
    },
  );

  for (const [path, disable] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    routes.post(
      `/api/users/:username/${path}`,
      {
        schema: {
          tags: ['users'],
          summary: disable
            ? 'Disable a user: login refused, sessions ended, sockets closed (commander only)'
            : 'Enable a disabled user again (commander only)',
          params: UsernameParams,
          response: { 200: ManagedUser },
        },
      },
      async (request) => {
        const me = requireUser(request);
        commanderOnly(me);
        const target = await loadTarget(me, request.params.username);
        if (disable && target.username === me.username) throw new Conflict('you cannot disable yourself');
        const after = await inTransaction(app.db, async (tx) => {
          const updated = await users.setDisabled(target.username, disable, tx);
          if (!updated) throw new NotFound(`user ${target.username}`);
          await appendAudit(tx, {
            actor: me.username,
            action: disable ? 'user.disable' : 'user.enable',
            targetType: 'user',
            targetId: target.username,
            changes: { disabled: { from: target.disabledAt !== null, to: disable } },
          });
          return updated;
        });
        const ended = disable ? await app.auth.endSessionsOf(target.username) : 0;
        await service.reload();
        request.log.info(
          { by: me.username, username: target.username, disable, ended },
          'user enabled state changed',
        );
        const grids = await assignmentsOf(app.db, [target.username]);
        return managed(after, grids.get(target.username) ?? []);
      },
    );
  }

  routes.post(
    '/api/users/:username/password',
    {
      schema: {
        tags: ['users'],
        summary: 'Reset a user’s password; their sessions end (commander only)',
        params: UsernameParams,
        body: PasswordBody,
        response: { 200: Ok },
      },
    },
    async (request) => {
      const me = requireUser(request);
      commanderOnly(me);
      const target = await loadTarget(me, request.params.username);
      await inTransaction(app.db, async (tx) => {
        await users.setPassword(target.username, request.body.password, tx);
        await appendAudit(tx, {
          actor: me.username,
          action: 'user.password-reset',
          targetType: 'user',
          targetId: target.username,
          changes: {},
        });
      });
      // Someone else may hold the old password: every session of the user ends.
      if (target.username !== me.username) await app.auth.endSessionsOf(target.username);
      return { ok: true };
    },
  );

  routes.get(
    '/api/organisation/audit',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Changes to users, units and duty: who, when, what (commander only), newest first',
        querystring: Type.Object({
          targetType: Type.Optional(Type.Enum(['user', 'unit', 'duty'])),
          targetId: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: { 200: Type.Array(AuditEntry) },
      },
    },
    async (request) => {
      const me = requireUser(request);
      commanderOnly(me);
      const { targetType, targetId, limit } = request.query;
      if (targetType === 'user' && targetId) await loadTarget(me, targetId);
      const entries = await listAudit(app.db, { targetType, targetId, limit });
      // A commander sees what they did, and changes to users and units inside their region.
      const regionOf = (e: AuditEntry) =>
        e.targetType === 'user' ? dir().user(e.targetId)?.regionId : dir().unit(e.targetId)?.regionId;
      const topLevel = dir().region(me.regionId)?.parentId == null;
      return entries.filter((e) => {
        const region = regionOf(e);
        if (e.actor === me.username) return true;
        // Departments (no region) serve the whole district.
        if (region == null) return e.targetType === 'unit' && topLevel && canManageUsers(me, [me.regionId]);
        return canManageUsers(me, dir().lineage(region));
      });
    },
  );
}
