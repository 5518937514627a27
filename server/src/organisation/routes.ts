import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { UNIT_KINDS, Unit, UnitList, type User } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { inTransaction } from '../infra/db/transaction.ts';
import { Conflict, Forbidden, NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { canManageUsers, diff } from './access.ts';
import { departmentId } from './directory.ts';
import { appendAudit, getUnit, insertMissingUnits, updateUnit } from './repository.ts';
import { CreateDepartmentBody, UpdateUnitBody } from './schemas.ts';
import type { OrganisationService } from './service.ts';

export function organisationRoutes(app: FastifyInstance, service: OrganisationService): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

  routes.get(
    '/api/units',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Units: district, street and community centres (from the region tree) and departments',
        querystring: Type.Object({ kind: Type.Optional(Type.Enum(UNIT_KINDS)) }),
        response: { 200: UnitList },
      },
    },
    async (request) => {
      requireUser(request);
      const units = service.directory.allUnits();
      return request.query.kind ? units.filter((u) => u.kind === request.query.kind) : units;
    },
  );

  routes.get(
    '/api/units/:id',
    {
      schema: {
        tags: ['organisation'],
        summary: 'One unit',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 200: Unit },
      },
    },
    async (request) => {
      requireUser(request);
      const unit = service.directory.unit(request.params.id);
      if (!unit) throw new NotFound(`unit ${request.params.id}`);
      return unit;
    },
  );

  const requireUnitManager = async (me: User, unit: Unit) => {
    // A department (no region) serves the district: only a commander of the top region manages it.
    const region = unit.regionId ?? (await topRegion(me.regionId));
    const lineage = await app.auth.users.regionLineage(region);
    if (!canManageUsers(me, region === me.regionId ? [region] : lineage))
      throw new Forbidden(`only commanders manage units, inside their region (${unit.id} is not)`);
  };
  const topRegion = async (regionId: string) =>
    (await app.auth.users.regionLineage(regionId)).at(-1) ?? regionId;

  routes.post(
    '/api/units',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Add a linkage department (commander of the district only)',
        body: CreateDepartmentBody,
        response: { 201: Unit },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      const unit: Unit = {
        id: departmentId(request.body.departmentType),
        kind: 'department',
        nameZh: request.body.nameZh,
        nameEn: request.body.nameEn,
        regionId: null,
        departmentType: request.body.departmentType,
        parentId: null,
        enabled: true,
      };
      await requireUnitManager(me, unit);
      const added = await inTransaction(app.db, async (tx) => {
        if ((await insertMissingUnits(tx, [unit])) === 0) return false;
        await appendAudit(tx, {
          actor: me.username,
          action: 'unit.create',
          targetType: 'unit',
          targetId: unit.id,
          changes: { ...unit },
        });
        return true;
      });
      if (!added) throw new Conflict(`departmentType: a department ${unit.id} exists already`);
      await service.reload();
      return reply.code(201).send(unit);
    },
  );

  routes.patch(
    '/api/units/:id',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Rename, disable or enable a unit (commander, inside their region)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        body: UpdateUnitBody,
        response: { 200: Unit },
      },
    },
    async (request) => {
      const me = requireUser(request);
      const before = await getUnit(app.db, request.params.id);
      if (!before) throw new NotFound(`unit ${request.params.id}`);
      await requireUnitManager(me, before);
      const after = await inTransaction(app.db, async (tx) => {
        const updated = await updateUnit(tx, before.id, request.body);
        if (!updated) throw new NotFound(`unit ${before.id}`);
        await appendAudit(tx, {
          actor: me.username,
          action: 'unit.update',
          targetType: 'unit',
          targetId: before.id,
          changes: diff(before, { ...request.body }),
        });
        return updated;
      });
      await service.reload();
      return after;
    },
  );
}
