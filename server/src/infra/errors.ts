import createError from '@fastify/error';
import { describeTextProblem } from '@gridwatch/devices';
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';

export const NotFound = createError<[string]>('GW_NOT_FOUND', '%s not found', 404);
export const Forbidden = createError<[string]>('GW_FORBIDDEN', '%s', 403);
export const CrossOrigin = createError<[string]>('GW_CROSS_ORIGIN', '%s', 403);
export const UnsupportedMediaType = createError<[string]>('GW_UNSUPPORTED_MEDIA_TYPE', '%s', 415);
export const Unauthorized = createError('GW_UNAUTHORIZED', 'login required', 401);
export const BadRequest = createError<[string]>('GW_BAD_REQUEST', '%s', 400);
export const Conflict = createError<[string]>('GW_CONFLICT', '%s', 409);

/** Largest body of an import (a district's devices or regions as CSV or GeoJSON). */
export const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;
/** Largest body of a small form: login, a user, a remark. */
export const SMALL_BODY_LIMIT = 16 * 1024;

/**
 * Validation messages name the field (`body/remark …`, `querystring/offset …`) and say in words
 * what a text pattern refuses, instead of quoting the pattern.
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const text = errors
    .map((e) => {
      const pattern = (e.params as { pattern?: string } | undefined)?.pattern;
      return `${dataVar}${e.instancePath} ${describeTextProblem(pattern) ?? e.message}`;
    })
    .join(', ');
  return new Error(text);
}

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
