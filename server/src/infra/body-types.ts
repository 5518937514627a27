import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnsupportedMediaType } from './errors.ts';
import { isStateChanging } from './origin-policy.ts';

/** What a route takes when its schema documents nothing else (`schema.consumes`). */
export const DEFAULT_BODY_TYPES = ['application/json'];

export type BodyTypeVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a request body's declared type is one its route documents. A cross-site `<form>`
 * can only send `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`
 * without asking first, so a route that takes only the types it documents cannot be fed by one.
 */
export function checkBodyType(
  contentType: string | undefined,
  hasBody: boolean,
  consumes: readonly string[],
): BodyTypeVerdict {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type) {
    return hasBody
      ? { ok: false, reason: `a body needs a Content-Type: ${consumes.join(' or ')}` }
      : { ok: true };
  }
  if (consumes.includes(type)) return { ok: true };
  return { ok: false, reason: `takes ${consumes.join(' or ')}, not ${type}` };
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Refuses (415) a state-changing /api request whose body is not of a type its route documents:
 * JSON unless the schema lists others in `consumes` (the device import also takes text/csv).
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions.url;
      if (!isStateChanging(request.method) || !route?.startsWith('/api/')) return;
      const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
      const verdict = checkBodyType(
        request.headers['content-type'],
        hasBody(request),
        consumes ?? DEFAULT_BODY_TYPES,
      );
      if (!verdict.ok) throw new UnsupportedMediaType(`${request.method} ${route} ${verdict.reason}`);
    });
  },
  { name: 'body-types' },
);
