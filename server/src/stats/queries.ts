import {
  DEVICE_KINDS,
  type DeviceKind,
  type DevicePoint,
  type Severity,
  type StatsAlertsByHour,
  type StatsAlertsByStreet,
  type StatsChargerLoad,
  type StatsOverview,
  type StatsTopCommunities,
  type User,
} from '@gridwatch/devices';
import type pg from 'pg';
import { scopeSql } from '../auth/access.ts';
import type { RegionIndex } from '../regions/placement.ts';
import { isSeverity, OVERDUE_SQL, SEVERITY_RANK_SQL, severityOfRank, zeroCounts } from './severity.ts';

/**
 * The wall screen's figures, each a few grouped, parameterised queries over indexed
 * columns, scoped by the caller's region (`$1` is always the region id). Results leave out
 * `regionId` and `at`, which the routes add.
 */
type Omit2<T> = Omit<T, 'regionId' | 'at'>;

export interface StatsScope {
  user: User;
  /** Midnight of a reference day in the centre's time zone: hour and day buckets start there. */
  timeZone: string;
}

const where = (s: StatsScope, alias = '') => scopeSql(s.user, '$1', alias);
const ORIGIN = (param: string) => `(timestamp '2000-01-03 00:00:00' AT TIME ZONE ${param}::text)`;
const HOUR = 3600_000;

export async function overview(db: pg.Pool, s: StatsScope): Promise<Omit2<StatsOverview>> {
  const p = [s.user.regionId];
  const [kinds, open, recent] = await Promise.all([
    db.query<{ kind: DeviceKind; total: number; online: number }>(
      `SELECT kind, count(*)::int AS total, count(*) FILTER (WHERE online)::int AS online
         FROM devices WHERE ${where(s)} GROUP BY kind`,
      p,
    ),
    db.query<{ severity: string; open: number; overdue: number }>(
      `SELECT severity, count(*)::int AS open, count(*) FILTER (WHERE ${OVERDUE_SQL})::int AS overdue
         FROM alerts WHERE state <> 'resolved' AND ${where(s)} GROUP BY severity`,
      p,
    ),
    // On time: acknowledged (or resolved) by the due time. Counted once handled or due.
    db.query<{ total: number; on_time: number; due: number }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE LEAST(ack_at, resolved_at) <= ack_due_at)::int AS on_time,
              count(*) FILTER (WHERE ack_at IS NOT NULL OR resolved_at IS NOT NULL OR ack_due_at <= now())::int AS due
         FROM alerts WHERE first_seen >= now() - interval '24 hours' AND ${where(s)}`,
      p,
    ),
  ]);
  const byKind = Object.fromEntries(
    DEVICE_KINDS.map((k) => [k, { total: 0, online: 0 }]),
  ) as StatsOverview['byKind'];
  for (const r of kinds.rows) byKind[r.kind] = { total: r.total, online: r.online };
  const devices = kinds.rows.reduce((n, r) => n + r.total, 0);
  const online = kinds.rows.reduce((n, r) => n + r.online, 0);
  const openBySeverity = zeroCounts();
  let overdueAlerts = 0;
  for (const r of open.rows) {
    if (isSeverity(r.severity)) openBySeverity[r.severity] = r.open;
    overdueAlerts += r.overdue;
  }
  const r = recent.rows[0] ?? { total: 0, on_time: 0, due: 0 };
  return {
    devices,
    online,
    onlineRate: devices ? online / devices : 0,
    byKind,
    openAlerts: open.rows.reduce((n, x) => n + x.open, 0),
    openBySeverity,
    overdueAlerts,
    alerts24h: r.total,
    ackedOnTimeRate: r.due ? r.on_time / r.due : null,
  };
}

export async function alertsByHour(db: pg.Pool, s: StatsScope): Promise<Omit2<StatsAlertsByHour>> {
  const cur = await db.query<{ h: Date }>(`SELECT date_bin('1 hour', now(), ${ORIGIN('$1')}) AS h`, [
    s.timeZone,
  ]);
  const last = cur.rows[0]!.h.getTime();
  const first = last - 23 * HOUR;
  const { rows } = await db.query<{ h: Date; severity: string; n: number }>(
    `SELECT date_bin('1 hour', first_seen, ${ORIGIN('$3')}) AS h, severity, count(*)::int AS n
       FROM alerts WHERE first_seen >= $2 AND ${where(s)} GROUP BY 1, 2`,
    [s.user.regionId, new Date(first), s.timeZone],
  );
  const hours = Array.from({ length: 24 }, (_, i) => ({
    hour: new Date(first + i * HOUR).toISOString(),
    total: 0,
    counts: zeroCounts(),
  }));
  for (const r of rows) {
    const slot = hours[Math.round((r.h.getTime() - first) / HOUR)];
    if (!slot || !isSeverity(r.severity)) continue;
    slot.counts[r.severity] += r.n;
    slot.total += r.n;
  }
  return { hours };
}

/** Streets the caller's region covers: its streets (district), itself (street), or its street (below). */
function streetsInScope(index: RegionIndex, regionId: string): string[] {
  const region = index.byId.get(regionId);
  if (!region) return [];
  if (region.level === 'district')
    return [...index.byId.values()]
      .filter((r) => r.parentId === regionId && r.level === 'street')
      .map((r) => r.id);
  const street = index.pathOf(regionId).street;
  return street ? [street] : [];
}

export async function alertsByStreet(
  db: pg.Pool,
  s: StatsScope,
  index: RegionIndex,
): Promise<Omit2<StatsAlertsByStreet>> {
  const { rows } = await db.query<{ street_id: string; severity: string; n: number }>(
    `SELECT street_id, severity, count(*)::int AS n FROM alerts
      WHERE first_seen >= now() - interval '24 hours' AND street_id IS NOT NULL AND ${where(s)}
      GROUP BY 1, 2`,
    [s.user.regionId],
  );
  const streets = new Map(
    streetsInScope(index, s.user.regionId)
      .sort()
      .map((id) => [
        id,
        { streetId: id, name: index.byId.get(id)?.name ?? id, total: 0, counts: zeroCounts() },
      ]),
  );
  for (const r of rows) {
    let street = streets.get(r.street_id);
    if (!street) {
      // An alert on a street the region tree no longer has: still count it.
      street = {
        streetId: r.street_id,
        name: index.byId.get(r.street_id)?.name ?? r.street_id,
        total: 0,
        counts: zeroCounts(),
      };
      streets.set(r.street_id, street);
    }
    if (!isSeverity(r.severity)) continue;
    street.counts[r.severity] += r.n;
    street.total += r.n;
  }
  return { streets: [...streets.values()] };
}

export async function topCommunities(
  db: pg.Pool,
  s: StatsScope,
  index: RegionIndex,
  limit: number,
): Promise<Omit2<StatsTopCommunities>> {
  const { rows } = await db.query<{ community_id: string; severity: string; n: number; overdue: number }>(
    `SELECT community_id, severity, count(*)::int AS n, count(*) FILTER (WHERE ${OVERDUE_SQL})::int AS overdue
       FROM alerts WHERE state <> 'resolved' AND community_id IS NOT NULL AND ${where(s)}
      GROUP BY 1, 2`,
    [s.user.regionId],
  );
  const byId = new Map<string, StatsTopCommunities['communities'][number]>();
  for (const r of rows) {
    let c = byId.get(r.community_id);
    if (!c) {
      const streetId = index.pathOf(r.community_id).street;
      c = {
        communityId: r.community_id,
        name: index.byId.get(r.community_id)?.name ?? r.community_id,
        streetId,
        streetName: streetId ? (index.byId.get(streetId)?.name ?? null) : null,
        open: 0,
        overdue: 0,
        counts: zeroCounts(),
      };
      byId.set(r.community_id, c);
    }
    c.open += r.n;
    c.overdue += r.overdue;
    if (isSeverity(r.severity)) c.counts[r.severity] += r.n;
  }
  const communities = [...byId.values()].sort(
    (a, b) =>
      b.open - a.open ||
      b.counts.critical - a.counts.critical ||
      b.counts.major - a.counts.major ||
      a.communityId.localeCompare(b.communityId),
  );
  return { communities: communities.slice(0, limit) };
}

export async function gridSeverity(db: pg.Pool, s: StatsScope): Promise<{ grids: Record<string, Severity> }> {
  const { rows } = await db.query<{ grid_id: string; rank: number }>(
    `SELECT grid_id, min(${SEVERITY_RANK_SQL})::int AS rank FROM alerts
      WHERE state <> 'resolved' AND grid_id IS NOT NULL AND ${where(s)} GROUP BY grid_id`,
    [s.user.regionId],
  );
  const grids: Record<string, Severity> = {};
  for (const r of rows) {
    const severity = severityOfRank(r.rank);
    if (severity) grids[r.grid_id] = severity;
  }
  return { grids };
}

/** Readings newer than this count as the charger's power now. */
const FRESH = "interval '2 minutes'";
const SERIES_STEP_S = 900;

/** Charging now, from each charger's newest raw reading (one index probe per charger). */
export async function chargerNow(
  db: pg.Pool,
  s: StatsScope,
): Promise<
  Pick<StatsChargerLoad, 'powerKwNow' | 'chargersReporting' | 'chargers' | 'portsCharging' | 'portsTotal'>
> {
  const { rows } = await db.query<{
    chargers: number;
    reporting: number;
    power: number;
    charging: number;
    ports: number;
  }>(
    `SELECT count(*)::int AS chargers, count(l.power)::int AS reporting, COALESCE(sum(l.power), 0)::float8 AS power,
            COALESCE(sum(l.charging), 0)::int AS charging, COALESCE(sum(l.ports), 0)::int AS ports
       FROM devices d
       LEFT JOIN LATERAL (
         SELECT CASE WHEN jsonb_typeof(t.data -> 'powerKw') = 'number' THEN (t.data ->> 'powerKw')::float8 ELSE 0 END AS power,
                CASE WHEN jsonb_typeof(t.data -> 'ports') = 'array' THEN jsonb_array_length(t.data -> 'ports') ELSE 0 END AS ports,
                CASE WHEN jsonb_typeof(t.data -> 'ports') = 'array'
                     THEN (SELECT count(*) FROM jsonb_array_elements(t.data -> 'ports') AS p(port)
                            WHERE p.port ->> 'state' IN ('charging', 'Charging'))
                     ELSE 0 END AS charging
           FROM telemetry t
          WHERE t.device_id = d.id AND t.ts > now() - ${FRESH}
          ORDER BY t.ts DESC LIMIT 1
       ) l ON true
      WHERE d.kind = 'charger' AND ${where(s, 'd')}`,
    [s.user.regionId],
  );
  const r = rows[0] ?? { chargers: 0, reporting: 0, power: 0, charging: 0, ports: 0 };
  return {
    powerKwNow: Math.max(0, r.power),
    chargersReporting: r.reporting,
    chargers: r.chargers,
    portsCharging: r.charging,
    portsTotal: r.ports,
  };
}

/** Total charging power over the last 24 h, from the per-grid minute sums the rollup keeps. */
export async function chargerSeries(
  db: pg.Pool,
  s: StatsScope,
): Promise<Pick<StatsChargerLoad, 'stepS' | 'series'>> {
  const { rows } = await db.query<{ at: Date; power: number }>(
    `SELECT date_bin($2::interval, bucket, ${ORIGIN('$3')}) AS at,
            sum(power_kw) / count(DISTINCT bucket) AS power
       FROM charger_load_1m
      WHERE bucket >= now() - interval '24 hours' AND ${where(s)}
      GROUP BY 1 ORDER BY 1`,
    [s.user.regionId, `${SERIES_STEP_S} seconds`, s.timeZone],
  );
  return {
    stepS: SERIES_STEP_S,
    series: rows.map((r) => ({ at: r.at.toISOString(), powerKw: Math.max(0, r.power) })),
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export async function devicePoints(db: pg.Pool, s: StatsScope): Promise<DevicePoint[]> {
  const { rows } = await db.query<{
    id: string;
    kind: DeviceKind;
    lon: number;
    lat: number;
    online: boolean;
    rank: number | null;
  }>(
    `SELECT d.id, d.kind, d.lon, d.lat, d.online, w.rank
       FROM devices d
       LEFT JOIN (
         SELECT x.device_id, min(${SEVERITY_RANK_SQL})::int AS rank
           FROM alerts CROSS JOIN LATERAL unnest(device_ids) AS x(device_id)
          WHERE state <> 'resolved'
          GROUP BY x.device_id
       ) w ON w.device_id = d.id
      WHERE d.lon IS NOT NULL AND d.lat IS NOT NULL AND ${where(s, 'd')}
      ORDER BY d.id`,
    [s.user.regionId],
  );
  return rows.map((r) => [r.id, r.kind, round6(r.lon), round6(r.lat), r.online, severityOfRank(r.rank)]);
}
