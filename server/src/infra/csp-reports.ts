import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import { Type } from 'typebox';
import { CSP_REPORT_PATH } from './security-headers.ts';

/** What one browser report says, in either format (report-uri's `csp-report` or the Reporting API's). */
interface Violation {
  directive: string;
  blocked: string;
  page: string;
}

/** Directives a label may name; anything else a page claims counts as `other` (bounded label values). */
const KNOWN_DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'worker-src',
  'child-src',
  'object-src',
  'frame-src',
  'media-src',
  'manifest-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
]);

/** Keeps a report's fields short: a report is written by whatever page sent it. */
const clip = (v: unknown, max = 300): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** The violations in a parsed report body; empty when it holds none. */
export function violationsOf(body: unknown): Violation[] {
  const items = Array.isArray(body) ? body : [body];
  const out: Violation[] = [];
  for (const item of items.slice(0, 50)) {
    if (!item || typeof item !== 'object') continue;
    const legacy = (item as { 'csp-report'?: Record<string, unknown> })['csp-report'];
    const modern =
      (item as { type?: unknown; body?: Record<string, unknown> }).type === 'csp-violation'
        ? (item as { body: Record<string, unknown> }).body
        : undefined;
    if (legacy && typeof legacy === 'object')
      out.push({
        directive: clip(legacy['effective-directive'] ?? legacy['violated-directive'], 60),
        blocked: clip(legacy['blocked-uri']),
        page: clip(legacy['document-uri']),
      });
    else if (modern && typeof modern === 'object')
      out.push({
        directive: clip(modern.effectiveDirective, 60),
        blocked: clip(modern.blockedURL),
        page: clip(modern.documentURL),
      });
  }
  return out;
}

/**
 * `POST /csp-reports`: where browsers report what the Content-Security-Policy blocked. No
 * session (the login page reports too), so it only logs and counts, with a small body limit
 * and a rate limit per address. Outside /api: it changes nothing.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'csp' });
    const violations = new Counter({
      name: 'gridwatch_csp_violations_total',
      help: 'Content-Security-Policy violations reported by browsers, by directive',
      labelNames: ['directive'] as const,
      registers: [app.metrics],
    });
    await app.register(async (scope: FastifyInstance) => {
      for (const type of ['application/csp-report', 'application/reports+json'])
        scope.addContentTypeParser(type, { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
      scope.post(
        CSP_REPORT_PATH,
        {
          bodyLimit: 16 * 1024,
          config: { rateLimit: { max: 120, timeWindow: 60_000 } },
          schema: {
            tags: ['security'],
            summary: 'Content-Security-Policy violation reports (sent by browsers)',
            consumes: ['application/csp-report', 'application/reports+json', 'application/json'],
            response: { 204: Type.Null() },
          },
        },
        async (request, reply) => {
          for (const v of violationsOf(request.body)) {
            violations.inc({ directive: KNOWN_DIRECTIVES.has(v.directive) ? v.directive : 'other' });
            log.warn({ ...v, ip: request.ip }, 'content security policy violation');
          }
          return reply.code(204).send();
        },
      );
    });
  },
  // After auth, which registers the rate limiter this route's config uses.
  { name: 'csp-reports', dependencies: ['metrics', 'auth'] },
);
