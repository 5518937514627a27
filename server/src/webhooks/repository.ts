import type { Queryable } from '../infra/db/transaction.ts';

export interface OutboxRecord {
  id: number;
  target: string;
  event: string;
  body: string;
  idempotency_key: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
}

const COLUMNS = `id, target, event, body, idempotency_key, state, attempts, next_attempt_at, last_status,
  last_error, created_at, delivered_at, dead_at`;

/** Inserts a message once per (target, idempotency key); returns its id either way. */
export async function insertMessage(
  c: Queryable,
  m: { target: string; event: string; body: string; idempotencyKey: string },
): Promise<{ id: number; created: boolean }> {
  const inserted = await c.query<{ id: number }>(
    `INSERT INTO webhook_outbox (target, event, body, idempotency_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (target, idempotency_key) DO NOTHING RETURNING id`,
    [m.target, m.event, m.body, m.idempotencyKey],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const existing = await c.query<{ id: number }>(
    'SELECT id FROM webhook_outbox WHERE target = $1 AND idempotency_key = $2',
    [m.target, m.idempotencyKey],
  );
  return { id: existing.rows[0]!.id, created: false };
}

/**
 * Claims up to `limit` due messages for one worker: each gets a new claim id, one more
 * attempt, and a lease (its due time moves `leaseS` ahead) so no other instance takes it
 * while it is being sent, and a crashed worker's message comes due again. SKIP LOCKED lets
 * instances claim side by side without waiting on each other.
 */
export async function claimDue(
  c: Queryable,
  claim: string,
  limit: number,
  leaseS: number,
): Promise<OutboxRecord[]> {
  const { rows } = await c.query<OutboxRecord>(
    `UPDATE webhook_outbox SET attempts = attempts + 1, claim = $1,
            next_attempt_at = now() + make_interval(secs => $3)
      WHERE id IN (SELECT id FROM webhook_outbox
                    WHERE state = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING ${COLUMNS}`,
    [claim, limit, leaseS],
  );
  return rows.sort((a, b) => a.id - b.id);
}

export async function markDelivered(
  c: Queryable,
  id: number,
  claim: string,
  status: number,
): Promise<boolean> {
  const r = await c.query(
    `UPDATE webhook_outbox SET state = 'delivered', delivered_at = now(), last_status = $3, last_error = NULL, claim = NULL
      WHERE id = $1 AND claim = $2 AND state = 'pending'`,
    [id, claim, status],
  );
  return r.rowCount === 1;
}

export async function markRetry(
  c: Queryable,
  id: number,
  claim: string,
  delayMs: number,
  status: number | null,
  error: string,
): Promise<boolean> {
  const r = await c.query(
    `UPDATE webhook_outbox SET next_attempt_at = now() + make_interval(secs => $3), last_status = $4,
            last_error = $5, claim = NULL
      WHERE id = $1 AND claim = $2 AND state = 'pending'`,
    [id, claim, delayMs / 1000, status, error],
  );
  return r.rowCount === 1;
}

export async function markDead(
  c: Queryable,
  id: number,
  claim: string,
  status: number | null,
  error: string,
): Promise<boolean> {
  const r = await c.query(
    `UPDATE webhook_outbox SET state = 'dead', dead_at = now(), last_status = $3, last_error = $4, claim = NULL
      WHERE id = $1 AND claim = $2 AND state = 'pending'`,
    [id, claim, status, error],
  );
  return r.rowCount === 1;
}

export async function listMessages(
  c: Queryable,
  q: { state?: string; target?: string; limit: number; offset: number },
): Promise<{ items: OutboxRecord[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.state) {
    params.push(q.state);
    where.push(`state = $${params.length}`);
  }
  if (q.target) {
    params.push(q.target);
    where.push(`target = $${params.length}`);
  }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const n = params.length;
  const [page, total] = await Promise.all([
    c.query<OutboxRecord>(
      `SELECT ${COLUMNS} FROM webhook_outbox ${filter} ORDER BY id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, q.limit, q.offset],
    ),
    c.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_outbox ${filter}`, params),
  ]);
  return { items: page.rows, total: total.rows[0]?.n ?? 0 };
}

/** Puts a dead message back in the queue (a commander fixed the receiver). */
export async function requeue(c: Queryable, id: number): Promise<boolean> {
  const r = await c.query(
    `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL, claim = NULL
      WHERE id = $1 AND state = 'dead'`,
    [id],
  );
  return r.rowCount === 1;
}

export async function countByState(c: Queryable): Promise<Array<{ state: string; n: number }>> {
  const { rows } = await c.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM webhook_outbox GROUP BY state',
  );
  return rows;
}
