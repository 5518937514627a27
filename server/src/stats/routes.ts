import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  StatsAlertsByHour,
  StatsAlertsByStreet,
  StatsChargerLoad,
  StatsConfig,
  StatsDevicePoints,
  StatsGridSeverity,
  StatsOverview,
  StatsTopCommunities,
  type User,
} from '@gridwatch/devices';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireUser } from '../regions/access.ts';
import {
  alertsByHour,
  alertsByStreet,
  chargerNow,
  chargerSeries,
  devicePoints,
  gridSeverity,
  overview,
  type StatsScope,
  topCommunities,
} from './queries.ts';
import { TtlCache } from './ttl-cache.ts';

/** Same answer for everyone sharing a region and role class, within the cache period. */
const keyOf = (user: User, extra = '') =>
  `${user.regionId}|${user.role === 'commander' ? 'c' : 'o'}|${extra}`;

export function statsRoutes(app: FastifyInstance): { clear(): void } {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const fast = new TtlCache<unknown>(2_000);
  const slow = new TtlCache<unknown>(10_000);
  const series = new TtlCache<unknown>(60_000);
  const caches = [fast, slow, series];

  const scopeOf = (request: FastifyRequest): StatsScope => ({
    user: requireUser(request),
    timeZone: app.config.TIME_ZONE,
  });
  /** Adds the scope and the time the figures were computed. */
  const stamped = async <T>(
    cache: TtlCache<unknown>,
    name: string,
    s: StatsScope,
    compute: () => Promise<T>,
    extra = '',
  ): Promise<T & { regionId: string; at: string }> =>
    cache.get(`${name}|${keyOf(s.user, extra)}`, async () => ({
      ...(await compute()),
      regionId: s.user.regionId,
      at: new Date().toISOString(),
    })) as Promise<T & { regionId: string; at: string }>;

  const tags = ['stats'];
  routes.get(
    '/api/stats/overview',
    {
      schema: {
        tags,
        summary: 'Devices online, open alerts, on-time rate',
        response: { 200: StatsOverview },
      },
    },
    async (request) => {
      const s = scopeOf(request);
      return stamped(fast, 'overview', s, () => overview(app.db, s));
    },
  );

  routes.get(
    '/api/stats/alerts-by-hour',
    {
      schema: {
        tags,
        summary: 'Alerts of the last 24 hours by hour and severity',
        response: { 200: StatsAlertsByHour },
      },
    },
    async (request) => {
      const s = scopeOf(request);
      return stamped(slow, 'hours', s, () => alertsByHour(app.db, s));
    },
  );

  routes.get(
    '/api/stats/alerts-by-street',
    {
      schema: {
        tags,
        summary: 'Alerts of the last 24 hours by street',
        response: { 200: StatsAlertsByStreet },
      },
    },
    async (request) => {
      const s = scopeOf(request);
      return stamped(slow, 'streets', s, async () => alertsByStreet(app.db, s, await app.regions.index()));
    },
  );

  routes.get(
    '/api/stats/top-communities',
    {
      schema: {
        tags,
        summary: 'Communities with the most open alerts',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }),
        response: { 200: StatsTopCommunities },
      },
    },
    async (request) => {
      const s = scopeOf(request);
      const { limit } = request.query;
      return stamped(
        fast,
        'communities',
        s,
        async () => topCommunities(app.db, s, await app.regions.index(), limit),
        String(limit),
      );
    },
  );

  routes.get(
    '/api/stats/grid-severity',
    { schema: { tags, summary: 'Worst open severity per grid', response: { 200: StatsGridSeverity } } },
    async (request) => {
      const s = scopeOf(request);
      return stamped(fast, 'grids', s, () => gridSeverity(app.db, s));
    },
  );

  routes.get(
    '/api/stats/charger-load',
    { schema: { tags, summary: 'Charging power now and over 24 h', response: { 200: StatsChargerLoad } } },
    async (request) => {
      const s = scopeOf(request);
      return stamped(fast, 'chargers', s, async () => {
        const [now, day] = await Promise.all([
          chargerNow(app.db, s),
          series.get(`load|${keyOf(s.user)}`, () => chargerSeries(app.db, s)) as ReturnType<
            typeof chargerSeries
          >,
        ]);
        return { ...now, ...day };
      });
    },
  );

  routes.get(
    '/api/stats/device-points',
    {
      schema: {
        tags,
        summary: 'Every positioned device as [id, kind, lon, lat, online, worst open severity]',
        response: { 200: StatsDevicePoints },
      },
    },
    async (request) => {
      const s = scopeOf(request);
      return stamped(fast, 'points', s, async () => ({ points: await devicePoints(app.db, s) }));
    },
  );

  routes.get(
    '/api/stats/config',
    {
      schema: {
        tags,
        summary: 'What the wall screen needs to set itself up',
        response: { 200: StatsConfig },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const index = await app.regions.index();
      const c = app.config;
      const districtId =
        index.pathOf(user.regionId).district ??
        [...index.byId.values()].find((r) => r.level === 'district')?.id ??
        null;
      return {
        districtName: (districtId && index.byId.get(districtId)?.name) || c.DISTRICT_NAME,
        districtId,
        timeZone: c.TIME_ZONE,
        mapStyleUrl: c.MAP_STYLE_URL ?? null,
        ackLimits: {
          critical: c.ACK_LIMIT_CRITICAL_S,
          major: c.ACK_LIMIT_MAJOR_S,
          minor: c.ACK_LIMIT_MINOR_S,
          warning: c.ACK_LIMIT_WARNING_S,
        },
        bounds: index.boundsOf(user.regionId),
      };
    },
  );

  return {
    clear() {
      for (const c of caches) c.clear();
    },
  };
}
