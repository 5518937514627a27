import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DutyShift, type Unit, type User } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { inTransaction } from '../infra/db/transaction.ts';
import { BadRequest, Forbidden, NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { canManageDuty, within } from './access.ts';
import { appendAudit, deleteShift, getShift, getUnit, insertShift, listShifts } from './repository.ts';
import { CreateShiftBody } from './schemas.ts';
import type { OrganisationService } from './service.ts';

/** Longest shift accepted: a day and a half (a 24 h shift with handover). */
const SHIFT_MAX_MS = 36 * 3_600_000;
const LIST_SPAN_MAX_MS = 31 * 24 * 3_600_000;

const OnDutyNow = Type.Array(
  Type.Object({
    unitId: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.String(),
    userIds: Type.Array(Type.String()),
  }),
);

/**
 * Duty rosters per unit: who is on duty at each centre. Commanders and dispatchers manage
 * the rosters of units inside their region (a street dispatcher: the street and its
 * communities); everyone logged in reads those of their region.
 */
export function dutyRoutes(app: FastifyInstance, service: OrganisationService): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const dir = () => service.directory;
  const lineage = (regionId: string) => app.auth.users.regionLineage(regionId);

  /** A unit's region for scope; departments count as the district's (the top of the caller's lineage). */
  const unitLineage = async (me: User, unit: Unit) => {
    if (unit.regionId) return lineage(unit.regionId);
    const mine = await lineage(me.regionId);
    return mine.length ? [mine.at(-1)!] : [me.regionId];
  };

  const visibleUnits = (me: User): Unit[] =>
    dir()
      .allUnits()
      .filter((u) =>
        u.regionId
          ? within(me.regionId, dir().lineage(u.regionId))
          : dir().region(me.regionId)?.parentId == null,
      );

  routes.get(
    '/api/duty',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Duty shifts of the units in your region overlapping [from, to) (default: the next 24 h)',
        querystring: Type.Object({
          unitId: Type.Optional(Type.String({ maxLength: 100 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: Type.Array(DutyShift) },
      },
    },
    async (request) => {
      const me = requireUser(request);
      const from = request.query.from ? new Date(request.query.from) : new Date();
      const to = request.query.to ? new Date(request.query.to) : new Date(from.getTime() + 24 * 3_600_000);
      if (!(to > from)) throw new BadRequest('to: must be after from');
      if (to.getTime() - from.getTime() > LIST_SPAN_MAX_MS)
        throw new BadRequest('to: at most 31 days after from');
      let units = visibleUnits(me).map((u) => u.id);
      if (request.query.unitId) {
        if (!units.includes(request.query.unitId)) throw new NotFound(`unit ${request.query.unitId}`);
        units = [request.query.unitId];
      }
      return listShifts(app.db, units, from, to);
    },
  );

  routes.get(
    '/api/duty/now',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Who is on duty now at each centre and department in your region',
        response: { 200: OnDutyNow },
      },
    },
    async (request) => {
      const me = requireUser(request);
      const now = new Date();
      return visibleUnits(me)
        .filter((u) => u.enabled)
        .map((u) => ({ unitId: u.id, nameZh: u.nameZh, nameEn: u.nameEn, userIds: dir().onDuty(u.id, now) }));
    },
  );

  routes.post(
    '/api/duty',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Put a user on duty at a unit (commander or dispatcher, inside their region)',
        body: CreateShiftBody,
        response: { 201: DutyShift },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      const unit = await getUnit(app.db, request.body.unitId);
      if (!unit) throw new BadRequest(`unitId: unknown unit ${request.body.unitId}`);
      if (!canManageDuty(me, await unitLineage(me, unit)))
        throw new Forbidden(`only commanders and dispatchers of its region manage the roster of ${unit.id}`);
      const user = await app.auth.users.get(request.body.userId);
      if (!user) throw new BadRequest(`userId: unknown user ${request.body.userId}`);
      if (user.disabledAt) throw new BadRequest(`userId: user ${user.username} is disabled`);
      const startsAt = new Date(request.body.startsAt);
      const endsAt = new Date(request.body.endsAt);
      if (!(endsAt > startsAt)) throw new BadRequest('endsAt: must be after startsAt');
      if (endsAt.getTime() - startsAt.getTime() > SHIFT_MAX_MS)
        throw new BadRequest('endsAt: a shift lasts at most 36 h');
      const shift: DutyShift = {
        id: randomUUID(),
        unitId: unit.id,
        userId: user.username,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        createdBy: me.username,
      };
      await inTransaction(app.db, async (tx) => {
        await insertShift(tx, shift);
        await appendAudit(tx, {
          actor: me.username,
          action: 'duty.create',
          targetType: 'unit',
          targetId: unit.id,
          changes: { ...shift },
        });
      });
      await service.reload();
      return reply.code(201).send(shift);
    },
  );

  routes.delete(
    '/api/duty/:id',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Remove a duty shift (commander or dispatcher, inside their region)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async (request) => {
      const me = requireUser(request);
      const shift = await getShift(app.db, request.params.id);
      if (!shift) throw new NotFound(`duty shift ${request.params.id}`);
      const unit = await getUnit(app.db, shift.unitId);
      if (unit && !canManageDuty(me, await unitLineage(me, unit)))
        throw new Forbidden(
          `only commanders and dispatchers of its region manage the roster of ${shift.unitId}`,
        );
      await inTransaction(app.db, async (tx) => {
        await deleteShift(tx, shift.id);
        await appendAudit(tx, {
          actor: me.username,
          action: 'duty.delete',
          targetType: 'unit',
          targetId: shift.unitId,
          changes: { ...shift },
        });
      });
      await service.reload();
      return { ok: true };
    },
  );
}
