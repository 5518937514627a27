import createError from '@fastify/error';
import type { FastifyError, FastifyInstance } from 'fastify';

export const NotFound = createError<[string]>('GW_NOT_FOUND', '%s not found', 404);
export const Forbidden = createError<[string]>('GW_FORBIDDEN', '%s', 403);
export const Unauthorized = createError('GW_UNAUTHORIZED', 'login required', 401);
export const BadRequest = createError<[string]>('GW_BAD_REQUEST', '%s', 400);
export const Conflict = createError<[string]>('GW_CONFLICT', '%s', 409);

/** One error shape: the real message below 500, a generic one above (logged in full). */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send({
        statusCode: status,
        code: 'GW_INTERNAL',
        error: 'Internal Server Error',
        message: 'internal error',
      });
    }
    const code = err.code ?? (err.validation ? 'GW_VALIDATION' : 'GW_ERROR');
    return reply.status(status).send({ statusCode: status, code, error: err.name, message: err.message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      statusCode: 404,
      code: 'GW_NOT_FOUND',
      error: 'Not Found',
      message: `${request.method} ${request.url.split('?')[0]} not found`,
    });
  });
}
