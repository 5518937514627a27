import { randomUUID } from 'node:crypto';
import type {
  Alert,
  AlertDetail,
  AlertList,
  AlertState,
  DeviceKind,
  Severity,
  User,
} from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { canAct, inScope, regionSql, scopeSql } from '../auth/access.ts';
import type { Finding } from '../detection/core/types.ts';
import { inTransaction, type Queryable } from '../infra/db/transaction.ts';
import { Conflict, Forbidden, NotFound } from '../infra/errors.ts';
import type { AlertEmitter } from './emitter.ts';
import type { AlertMetrics } from './metrics.ts';
import { alertKey, type DeviceInfo, type Plan, planFindings } from './plan.ts';
import { type AlertRecord, toAlert, toHistoryEntry } from './record.ts';
import * as repo from './repository.ts';
import type { AckLimits } from './severity.ts';

export interface AlertQuery {
  state?: AlertState | 'open';
  severity?: Severity;
  region?: string;
  kind?: DeviceKind;
  cause?: string;
  deviceId?: string;
  /** ISO time: only alerts changed since. */
  since?: string;
  limit?: number;
  offset?: number;
}

export interface ApplyResult {
  created: number;
  updated: number;
  unknownDevices: number;
}

export interface AlertService {
  /** Records detection findings: dedup per device and cause, lifecycle, history; then the bus. */
  apply(findings: readonly Finding[]): Promise<ApplyResult>;
  list(user: User, query: AlertQuery): Promise<AlertList>;
  get(user: User, id: string): Promise<AlertDetail>;
  acknowledge(user: User, id: string, remark?: string | null): Promise<Alert>;
  resolve(user: User, id: string, remark?: string | null): Promise<Alert>;
  /** Open alerts in the user's scope plus those changed since `since` (for reconnecting clients). */
  sync(user: User, since?: string): Promise<Alert[]>;
  /** Marks alerts past their acknowledgement limit overdue; returns how many. */
  checkOverdue(): Promise<number>;
}

export interface AlertServiceDeps {
  db: pg.Pool;
  /** The device registry: where a new alert's device stands. */
  devices: {
    directory: { get(id: string): DeviceInfo | undefined };
    ensureKnown(ids: readonly string[]): Promise<void>;
  };
  limits: AckLimits;
  emitter: AlertEmitter;
  log: FastifyBaseLogger;
  metrics: AlertMetrics;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Longest remark kept; the REST and socket schemas refuse longer ones. */
export { REMARK_MAX } from '@gridwatch/devices';

class InsertRace extends Error {}

export function createAlertService(deps: AlertServiceDeps): AlertService {
  const { db, devices: registry, limits, emitter, log, metrics } = deps;
  // Applies run one after another in this process: no self-deadlock, and ordering is kept.
  let queue: Promise<unknown> = Promise.resolve();

  async function applyOnce(findings: readonly Finding[]) {
    const keys = new Map<string, { deviceId: string; cause: string }>();
    for (const f of findings)
      keys.set(alertKey(f.deviceId, f.cause), { deviceId: f.deviceId, cause: f.cause });
    return inTransaction(db, async (c) => {
      const open = new Map<string, AlertRecord>();
      for (const a of await repo.lockOpen(c, [...keys.values()])) open.set(alertKey(a.device_id, a.cause), a);
      const needDevices = [
        ...new Set(
          findings
            .filter((f) => f.action === 'raise' && !open.has(alertKey(f.deviceId, f.cause)))
            .map((f) => f.deviceId),
        ),
      ];
      const devices = new Map<string, DeviceInfo>();
      for (const id of needDevices) {
        const d = registry.directory.get(id);
        if (d) devices.set(id, d);
      }
      const plan = planFindings(findings, open, devices, limits, randomUUID);
      await repo.updateAlerts(c, plan.changed);
      // One insert order on every instance, so two racing batches wait rather than deadlock.
      const byKey = (a: AlertRecord, b: AlertRecord) =>
        alertKey(a.device_id, a.cause) < alertKey(b.device_id, b.cause) ? -1 : 1;
      const inserted = await repo.insertAlerts(c, [...plan.created].sort(byKey));
      if (inserted.size !== plan.created.length) throw new InsertRace();
      await repo.insertHistory(c, plan.history);
      await repo.upsertRepeats(c, plan.repeats);
      return plan;
    });
  }

  async function applyNow(findings: readonly Finding[]): Promise<ApplyResult> {
    if (findings.length === 0) return { created: 0, updated: 0, unknownDevices: 0 };
    // Before the transaction: a miss is read from the table on a connection of its own.
    await registry.ensureKnown(findings.map((f) => f.deviceId));
    for (let attempt = 1; ; attempt++) {
      try {
        const stopTimer = metrics.applySeconds.startTimer();
        const plan = await applyOnce(findings);
        stopTimer();
        countPlan(plan);
        if (plan.unknownDevices.length > 0) {
          log.warn(
            { devices: [...new Set(plan.unknownDevices)].slice(0, 10) },
            'findings for unknown devices ignored',
          );
        }
        for (const a of plan.created) emitter.emit(toAlert(a), 'new', true);
        for (const a of plan.changed) emitter.emit(toAlert(a), 'update', plan.significant.has(a.id));
        return {
          created: plan.created.length,
          updated: plan.changed.length,
          unknownDevices: plan.unknownDevices.length,
        };
      } catch (err) {
        // Another instance raised the same alert between our read and insert (or a deadlock
        // was broken): read again.
        const retryable = err instanceof InsertRace || (err as { code?: string }).code === '40P01';
        if (retryable && attempt < 5) continue;
        throw err;
      }
    }
  }

  function countPlan(plan: Plan): void {
    if (plan.created.length) metrics.changes.inc({ change: 'raised' }, plan.created.length);
    if (plan.repeats.size) metrics.changes.inc({ change: 'repeated' }, plan.repeats.size);
    for (const h of plan.history) if (h.action !== 'raised') metrics.changes.inc({ change: h.action });
  }

  /** Loads an alert the user may see, or throws 404 / 403. */
  async function visible(c: Queryable, user: User, id: string, lock = false) {
    const row = UUID.test(id) ? await repo.alertById(c, id, lock) : null;
    if (!row) throw new NotFound(`alert ${id}`);
    if (!inScope(user, toAlert(row).path)) throw new Forbidden('this alert is outside your region');
    return row;
  }

  async function act(
    user: User,
    id: string,
    remark: string | null,
    action: 'acknowledged' | 'resolved',
  ): Promise<Alert> {
    const row = await inTransaction(db, async (c) => {
      const current = await visible(c, user, id, true);
      if (!canAct(user)) throw new Forbidden(`role ${user.role} may not act on alerts`);
      if (action === 'acknowledged' && current.state !== 'active') {
        throw new Conflict(`alert is already ${current.state}`);
      }
      if (action === 'resolved' && current.state === 'resolved')
        throw new Conflict('alert is already resolved');
      const history: Array<[string, string | null]> = [];
      let sql: string;
      if (action === 'acknowledged') {
        sql = `UPDATE alerts SET state = 'acknowledged', ack_by = $2, ack_at = now(), ack_remark = $3, updated_at = now()
                WHERE id = $1 RETURNING *`;
        history.push(['acknowledged', remark]);
      } else {
        // Resolving an unacknowledged alert acknowledges it too (it was handled then).
        sql = `UPDATE alerts SET state = 'resolved', resolved_by = $2, resolved_at = now(),
                      ack_by = COALESCE(ack_by, $2), ack_at = COALESCE(ack_at, now()), updated_at = now()
                WHERE id = $1 RETURNING *`;
        if (current.state === 'active') history.push(['acknowledged', null]);
        history.push(['resolved', remark]);
      }
      const params = action === 'acknowledged' ? [id, user.username, remark] : [id, user.username];
      const updated = (await c.query<AlertRecord>(sql, params)).rows[0]!;
      for (const [a, r] of history) {
        await c.query(
          'INSERT INTO alert_history (alert_id, at, action, by_user, remark) VALUES ($1, now(), $2, $3, $4)',
          [id, a, user.username, r],
        );
      }
      return updated;
    });
    const alert = toAlert(row);
    metrics.changes.inc({ change: action });
    emitter.emit(alert, 'update', true);
    log.info({ alert: id, action, by: user.username }, 'alert handled');
    return alert;
  }

  return {
    apply(findings) {
      const run = queue.then(() => applyNow(findings));
      queue = run.catch(() => {});
      return run;
    },

    async list(user, q) {
      const where = [scopeSql(user, '$1')];
      const params: unknown[] = [user.regionId];
      const add = (clause: (p: string) => string, value: unknown) => {
        params.push(value);
        where.push(clause(`$${params.length}`));
      };
      if (q.state === 'open') where.push(`state <> 'resolved'`);
      else if (q.state) add((p) => `state = ${p}`, q.state);
      if (q.severity) add((p) => `severity = ${p}`, q.severity);
      if (q.region) add((p) => regionSql(p), q.region);
      if (q.kind) add((p) => `device_kind = ${p}`, q.kind);
      if (q.cause) add((p) => `cause = ${p}`, q.cause);
      if (q.deviceId) add((p) => `(device_id = ${p} OR ${p} = ANY(device_ids))`, q.deviceId);
      if (q.since) add((p) => `updated_at >= ${p}::timestamptz`, q.since);
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const filter = where.join(' AND ');
      const n = params.length;
      const [page, total] = await Promise.all([
        db.query<AlertRecord>(
          `SELECT * FROM alerts WHERE ${filter} ORDER BY first_seen DESC, id LIMIT $${n + 1} OFFSET $${n + 2}`,
          [...params, limit, offset],
        ),
        db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE ${filter}`, params),
      ]);
      return { items: page.rows.map(toAlert), total: total.rows[0]?.n ?? 0, limit, offset };
    },

    async get(user, id) {
      const row = await visible(db, user, id);
      const history = await repo.historyOf(db, id);
      return { ...toAlert(row), history: history.map(toHistoryEntry) };
    },

    acknowledge: (user, id, remark) => act(user, id, remark ?? null, 'acknowledged'),
    resolve: (user, id, remark) => act(user, id, remark ?? null, 'resolved'),

    async sync(user, since) {
      const params: unknown[] = [user.regionId];
      let changed = '';
      if (since && !Number.isNaN(Date.parse(since))) {
        params.push(new Date(since));
        changed = ' OR updated_at >= $2';
      }
      const { rows } = await db.query<AlertRecord>(
        `SELECT * FROM alerts WHERE ${scopeSql(user, '$1')} AND (state <> 'resolved'${changed})
          ORDER BY first_seen DESC LIMIT 5000`,
        params,
      );
      return rows.map(toAlert);
    },

    async checkOverdue() {
      const rows = await repo.markOverdue(db);
      if (rows.length > 0) metrics.changes.inc({ change: 'overdue' }, rows.length);
      for (const row of rows) emitter.emit(toAlert(row), 'update', true);
      if (rows.length > 0) log.info({ count: rows.length }, 'alerts overdue');
      emitter.prune();
      return rows.length;
    },
  };
}
