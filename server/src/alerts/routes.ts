import type { User } from '@gridwatch/devices';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { SMALL_BODY_LIMIT } from '../infra/errors.ts';
import {
  AlertDetail,
  AlertIdParams,
  AlertList,
  AlertListQuery,
  AlertSchema,
  ErrorReply,
  RemarkBody,
} from './schemas.ts';
import type { AlertService } from './service.ts';

const userOf = (request: FastifyRequest): User => {
  if (!request.user) throw new Error('auth hook did not run');
  return request.user;
};

type IdRequest = FastifyRequest<{ Params: Static<typeof AlertIdParams> }>;
type ActRequest = FastifyRequest<{ Params: Static<typeof AlertIdParams>; Body: Static<typeof RemarkBody> }>;

const errors = { 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };

export function alertRoutes(app: FastifyInstance, alerts: AlertService): void {
  app.get(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in the caller’s region, newest first, paged',
        querystring: AlertListQuery,
        response: { 200: AlertList },
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof AlertListQuery> }>) =>
      alerts.list(userOf(request), request.query),
  );

  app.get(
    '/api/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its full history',
        params: AlertIdParams,
        response: { 200: AlertDetail, ...errors },
      },
    },
    async (request: IdRequest) => alerts.get(userOf(request), request.params.id),
  );

  app.post(
    '/api/alerts/:id/ack',
    {
      bodyLimit: SMALL_BODY_LIMIT,
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an active alert, with a remark',
        params: AlertIdParams,
        body: RemarkBody,
        response: { 200: AlertSchema, ...errors },
      },
    },
    async (request: ActRequest) =>
      alerts.acknowledge(userOf(request), request.params.id, request.body?.remark),
  );

  app.post(
    '/api/alerts/:id/resolve',
    {
      bodyLimit: SMALL_BODY_LIMIT,
      schema: {
        tags: ['alerts'],
        summary: 'Resolve an alert (acknowledging it too if it was not), with a remark',
        params: AlertIdParams,
        body: RemarkBody,
        response: { 200: AlertSchema, ...errors },
      },
    },
    async (request: ActRequest) => alerts.resolve(userOf(request), request.params.id, request.body?.remark),
  );
}
