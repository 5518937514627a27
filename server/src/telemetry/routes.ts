import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CATALOGUE, DEVICE_ID_PATTERN, SingleLine, TelemetrySeries } from '@gridwatch/devices';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { inScope } from '../auth/access.ts';
import { BadRequest, Forbidden, NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { getDevice } from '../registry/repository.ts';
import { parseBucket, planTelemetryQuery } from './plan.ts';
import { querySeries } from './series-query.ts';

const DEFAULT_RANGE_MS = 3600_000;
const DAY = 86_400_000;

function parseTime(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new BadRequest(`${name} must be an ISO 8601 time, got ${JSON.stringify(text)}`);
  return ms;
}

export function telemetryRoutes(app: FastifyInstance): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/devices/:id/telemetry',
    {
      schema: {
        tags: ['telemetry'],
        summary: 'One metric of a device over time, bucketed (raw up to 6 h, 1-minute rollup beyond)',
        params: Type.Object({ id: Type.String({ pattern: DEVICE_ID_PATTERN, maxLength: 64 }) }),
        querystring: Type.Object({
          metric: SingleLine({
            minLength: 1,
            maxLength: 64,
            description: "one of the device kind's metrics",
          }),
          from: Type.Optional(
            SingleLine({ maxLength: 40, description: 'ISO 8601; default one hour before `to`' }),
          ),
          to: Type.Optional(SingleLine({ maxLength: 40, description: 'ISO 8601; default now' })),
          bucket: Type.Optional(
            SingleLine({
              maxLength: 16,
              description: 'seconds, or 30s / 5m / 1h / 1d; widened to at most 1500 points',
            }),
          ),
        }),
        response: { 200: TelemetrySeries },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { id } = request.params;
      const q = request.query;
      const device = await getDevice(app.db, id);
      if (!device) throw new NotFound(`device ${id}`);
      if (!inScope(user, device.path)) throw new Forbidden(`device ${id} is outside your region`);
      const spec = CATALOGUE[device.kind].metrics[q.metric];
      if (!spec || !Object.hasOwn(CATALOGUE[device.kind].metrics, q.metric))
        throw new BadRequest(
          `metric ${JSON.stringify(q.metric)} is not one of a ${device.kind}'s: ${Object.keys(CATALOGUE[device.kind].metrics).join(', ')}`,
        );
      const to = parseTime(q.to, 'to') ?? Date.now();
      const from = parseTime(q.from, 'from') ?? to - DEFAULT_RANGE_MS;
      if (from >= to) throw new BadRequest('from must be before to');
      if (to - from > app.config.ROLLUP_RETENTION_DAYS * DAY)
        throw new BadRequest(`the range may span at most ${app.config.ROLLUP_RETENTION_DAYS} days`);
      let bucketS: number | undefined;
      if (q.bucket !== undefined) {
        bucketS = parseBucket(q.bucket) ?? undefined;
        if (bucketS === undefined)
          throw new BadRequest('bucket must be seconds or a duration like 30s, 5m, 1h, 1d');
      }
      const plan = planTelemetryQuery(from, to, bucketS);
      const { points, skipped } = await querySeries(app.db, {
        deviceId: id,
        metric: q.metric,
        from: new Date(from),
        to: new Date(to),
        plan,
        timescale: app.timescale.enabled,
        timeZone: app.config.TIME_ZONE,
      });
      if (skipped > 0)
        request.log.warn(
          { deviceId: id, metric: q.metric, skipped },
          'chart left out values it cannot aggregate',
        );
      return {
        deviceId: id,
        metric: q.metric,
        unit: spec.unit,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucketS: plan.bucketS,
        source: plan.source,
        points,
        skipped,
      };
    },
  );
}
