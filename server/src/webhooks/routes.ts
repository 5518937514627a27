import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { ErrorReply } from '../auth/schemas.ts';
import { NotFound } from '../infra/errors.ts';
import { requireRole } from '../regions/access.ts';
import type { WebhookService } from './service.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const OutboxEntry = Type.Object({
  id: Type.Integer(),
  target: Type.String(),
  event: Type.String(),
  idempotencyKey: Type.String(),
  state: Type.Enum(['pending', 'delivered', 'dead']),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  deadAt: Nullable(Type.String({ format: 'date-time' })),
});

const OutboxQuery = Type.Object(
  {
    state: Type.Optional(Type.Enum(['pending', 'delivered', 'dead'])),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** Commanders watch the outbox and put a dead message back once its receiver is fixed. */
export function webhookRoutes(app: FastifyInstance, service: WebhookService): void {
  app.get(
    '/api/webhooks/outbox',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Outgoing webhooks, newest first (commanders)',
        querystring: OutboxQuery,
        response: {
          200: Type.Object({ items: Type.Array(OutboxEntry), total: Type.Integer() }),
          403: ErrorReply,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof OutboxQuery> }>) => {
      requireRole(request, ['commander']);
      const q = request.query;
      return service.list({ state: q.state, target: q.target, limit: q.limit ?? 50, offset: q.offset ?? 0 });
    },
  );

  app.post(
    '/api/webhooks/outbox/:id/requeue',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a dead webhook again from its first attempt (commanders)',
        params: IdParams,
        response: { 200: Type.Object({ requeued: Type.Boolean() }), 403: ErrorReply, 404: ErrorReply },
      },
    },
    async (request: FastifyRequest<{ Params: Static<typeof IdParams> }>) => {
      requireRole(request, ['commander']);
      if (!(await service.requeue(request.params.id)))
        throw new NotFound(`dead webhook ${request.params.id}`);
      return { requeued: true };
    },
  );
}
