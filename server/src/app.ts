import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import alerts from './alerts/plugin.ts';
import attachments from './attachments/plugin.ts';
import auth from './auth/plugin.ts';
import cases from './cases/plugin.ts';
import detection from './detection/plugin.ts';
import identity from './identity/plugin.ts';
import bodyTypes from './infra/body-types.ts';
import busPlugin from './infra/bus-plugin.ts';
import context, { type GridwatchContext } from './infra/context.ts';
import cspReports from './infra/csp-reports.ts';
import dashboard from './infra/dashboard.ts';
import db from './infra/db/pool.ts';
import { formatSchemaErrors, installErrorHandler } from './infra/errors.ts';
import health from './infra/health.ts';
import metrics from './infra/metrics.ts';
import securityHeaders from './infra/security-headers.ts';
import ingest from './ingest/plugin.ts';
import matters from './matters/plugin.ts';
import organisation from './organisation/plugin.ts';
import realtime from './realtime/plugin.ts';
import regions from './regions/plugin.ts';
import registry from './registry/plugin.ts';
import stats from './stats/plugin.ts';
import telemetry from './telemetry/plugin.ts';
import webhooks from './webhooks/plugin.ts';

/** Largest request body a route takes unless it says otherwise. @default 256 KiB */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * The gridwatch app as a Fastify instance, not yet listening. Boot order: infrastructure
 * (context, metrics, bus, database), then domains, then the dashboard. `main.ts` resolves
 * the context (embedded or external backends) and listens.
 */
export async function buildApp(
  ctx: GridwatchContext,
  opts: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: ctx.config.LOG_LEVEL },
    trustProxy: ctx.config.TRUST_PROXY,
    logController: new LogController({ disableRequestLogging: true }),
    // Most routes take a few fields; the imports raise their own limit (IMPORT_BODY_LIMIT).
    bodyLimit: DEFAULT_BODY_LIMIT,
    schemaErrorFormatter: formatSchemaErrors,
    ...opts,
  });
  installErrorHandler(app);

  await app.register(context, { context: ctx });
  // Before every route, so pages, assets, the API and its errors all carry the headers.
  await app.register(securityHeaders);
  await app.register(swagger, {
    openapi: {
      info: { title: 'gridwatch API', version: '0.1.0' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'gw_session' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(metrics);
  await app.register(busPlugin);
  await app.register(db);
  await app.register(health);

  await app.register(auth);
  await app.register(bodyTypes);
  await app.register(cspReports);
  await app.register(identity);
  await app.register(regions);
  await app.register(registry);
  await app.register(organisation);
  await app.register(matters);
  await app.register(telemetry);
  await app.register(alerts);
  await app.register(attachments);
  await app.register(webhooks);
  await app.register(detection);
  await app.register(ingest);
  await app.register(realtime);
  await app.register(cases);
  await app.register(stats);
  await app.register(dashboard);
  return app;
}
