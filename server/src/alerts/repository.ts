import type pg from 'pg';
import type { Queryable } from '../infra/db/transaction.ts';
import type { AlertRecord, HistoryRecord } from './record.ts';

const COLUMNS = `id, cause, severity, state, device_id, device_kind, device_ids, site, district_id, street_id,
  community_id, grid_id, message, count, first_seen, last_seen, cleared_at, ack_by, ack_at, ack_remark,
  resolved_by, resolved_at, ack_due_at, overdue, lon, lat`;

/** Column list for `jsonb_to_recordset`, matching AlertRecord. */
const RECORD_TYPE = `id uuid, cause text, severity text, state text, device_id text, device_kind text,
  device_ids text[], site text, district_id text, street_id text, community_id text, grid_id text,
  message text, count integer, first_seen timestamptz, last_seen timestamptz, cleared_at timestamptz,
  ack_by text, ack_at timestamptz, ack_remark text, resolved_by text, resolved_at timestamptz,
  ack_due_at timestamptz, overdue boolean, lon double precision, lat double precision`;

/** Open alerts for these (device, cause) pairs, locked for this transaction in a stable order. */
export async function lockOpen(
  c: Queryable,
  keys: Array<{ deviceId: string; cause: string }>,
): Promise<AlertRecord[]> {
  const { rows } = await c.query<AlertRecord>(
    `SELECT a.* FROM alerts a
       JOIN unnest($1::text[], $2::text[]) AS k(device_id, cause)
         ON a.device_id = k.device_id AND a.cause = k.cause
      WHERE a.state <> 'resolved'
      ORDER BY a.id FOR UPDATE OF a`,
    [keys.map((k) => k.deviceId), keys.map((k) => k.cause)],
  );
  return rows;
}

/** Inserts new alerts; returns the ids actually inserted (another instance may have raised one first). */
export async function insertAlerts(c: Queryable, alerts: AlertRecord[]): Promise<Set<string>> {
  if (alerts.length === 0) return new Set();
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO alerts (${COLUMNS}, updated_at)
     SELECT ${COLUMNS}, now() FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD_TYPE})
     ON CONFLICT (device_id, cause) WHERE state <> 'resolved' DO NOTHING
     RETURNING id`,
    [JSON.stringify(alerts)],
  );
  return new Set(rows.map((r) => r.id));
}

export async function updateAlerts(c: Queryable, alerts: AlertRecord[]): Promise<void> {
  if (alerts.length === 0) return;
  await c.query(
    `UPDATE alerts a SET severity = r.severity, state = r.state, device_ids = r.device_ids,
            message = r.message, count = r.count, last_seen = r.last_seen, cleared_at = r.cleared_at,
            resolved_by = r.resolved_by, resolved_at = r.resolved_at, ack_due_at = r.ack_due_at,
            updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD_TYPE})
      WHERE a.id = r.id`,
    [JSON.stringify(alerts)],
  );
}

export async function insertHistory(c: Queryable, entries: HistoryRecord[]): Promise<void> {
  if (entries.length === 0) return;
  await c.query(
    `INSERT INTO alert_history (alert_id, at, action, by_user, remark)
     SELECT alert_id, at, action, by_user, remark
       FROM jsonb_to_recordset($1::jsonb)
         AS r(alert_id uuid, at timestamptz, action text, by_user text, remark text)`,
    [JSON.stringify(entries)],
  );
}

/** One 'repeated' row per alert, moved forward on each repeat: bounded history. */
export async function upsertRepeats(c: Queryable, repeats: Map<string, { at: Date; count: number }>) {
  if (repeats.size === 0) return;
  const ids = [...repeats.keys()];
  await c.query(
    `INSERT INTO alert_history (alert_id, at, action, remark)
     SELECT id, at, 'repeated', 'count ' || n FROM unnest($1::uuid[], $2::timestamptz[], $3::int[]) AS u(id, at, n)
     ON CONFLICT (alert_id) WHERE action = 'repeated'
     DO UPDATE SET at = EXCLUDED.at, remark = EXCLUDED.remark`,
    [ids, ids.map((id) => repeats.get(id)!.at), ids.map((id) => repeats.get(id)!.count)],
  );
}

/** Marks active alerts past their due time as overdue, once, with a history row; returns them. */
export async function markOverdue(c: Queryable): Promise<AlertRecord[]> {
  const { rows } = await c.query<AlertRecord>(
    `WITH due AS (
       UPDATE alerts SET overdue = true, updated_at = now()
        WHERE state = 'active' AND NOT overdue AND ack_due_at <= now()
        RETURNING ${COLUMNS}),
     logged AS (
       INSERT INTO alert_history (alert_id, at, action) SELECT id, ack_due_at, 'overdue' FROM due)
     SELECT * FROM due`,
  );
  return rows;
}

export async function alertById(c: Queryable, id: string, lock = false): Promise<AlertRecord | null> {
  const { rows } = await c.query<AlertRecord>(
    `SELECT ${COLUMNS} FROM alerts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function historyOf(c: Queryable, id: string): Promise<HistoryRecord[]> {
  const { rows } = await c.query<HistoryRecord>(
    'SELECT alert_id, at, action, by_user, remark FROM alert_history WHERE alert_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}
