import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Queryable } from '../infra/db/transaction.ts';
import { BadRequest } from '../infra/errors.ts';
import { decide, parseRetryAfter, type RetryPolicy } from './core/retry.ts';
import {
  ATTEMPT_HEADER,
  DELIVERY_HEADER,
  EVENT_HEADER,
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from './core/signature.ts';
import type { WebhookMetrics } from './metrics.ts';
import type { OutboxRecord } from './repository.ts';
import * as repo from './repository.ts';

/** Where one target's webhooks go. The secret is never logged nor shown. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface EnqueueInput {
  /** A configured or registered target name. */
  target: string;
  /** What happened, e.g. `case.outcome`. */
  event: string;
  payload: unknown;
  /** One message per (target, key): enqueuing the same key again changes nothing. */
  idempotencyKey: string;
}

export interface OutboxEntry {
  id: number;
  target: string;
  event: string;
  idempotencyKey: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
}

export interface WebhookService {
  /** Adds or replaces a target at run time (e.g. a hotline system configured in the database). */
  registerTarget(name: string, target: WebhookTarget): void;
  hasTarget(name: string): boolean;
  /**
   * Queues a message. Given `tx` (a client inside the caller's transaction) the message is
   * written with the caller's change and only sent once it commits.
   */
  enqueue(input: EnqueueInput, tx?: Queryable): Promise<{ id: number; created: boolean }>;
  list(q: { state?: string; target?: string; limit: number; offset: number }): Promise<{
    items: OutboxEntry[];
    total: number;
  }>;
  requeue(id: number): Promise<boolean>;
  /** Claims and sends what is due now; returns how many attempts were made. */
  deliverDue(): Promise<number>;
}

export interface WebhookDeps {
  db: pg.Pool;
  targets: Map<string, WebhookTarget>;
  policy: RetryPolicy;
  timeoutMs: number;
  batch: number;
  metrics: WebhookMetrics;
  log: FastifyBaseLogger;
  /** Wakes the worker after a commit. */
  nudge: () => void;
  random?: () => number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ERROR_MAX = 500;

export function toEntry(r: OutboxRecord): OutboxEntry {
  return {
    id: r.id,
    target: r.target,
    event: r.event,
    idempotencyKey: r.idempotency_key,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
    deadAt: r.dead_at?.toISOString() ?? null,
  };
}

export function createWebhookService(deps: WebhookDeps): WebhookService {
  const { db, targets, policy, metrics, log } = deps;
  const random = deps.random ?? Math.random;
  // A claimed message is not taken by another worker for this long: longer than any attempt.
  const leaseS = Math.ceil(deps.timeoutMs / 1000) + 30;

  async function send(m: OutboxRecord, target: WebhookTarget) {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'gridwatch-webhooks',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, m.body),
          [IDEMPOTENCY_HEADER]: m.idempotency_key,
          [EVENT_HEADER]: m.event,
          [DELIVERY_HEADER]: String(m.id),
          [ATTEMPT_HEADER]: String(m.attempts),
        },
        body: m.body,
      });
      // Read (and drop) the answer so the connection can be reused.
      await res.arrayBuffer().catch(() => {});
      return { status: res.status, retryAfterS: parseRetryAfter(res.headers.get('retry-after')) };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const detail =
        e.name === 'TimeoutError'
          ? `no answer within ${deps.timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { error: String(detail).slice(0, ERROR_MAX) };
    }
  }

  async function attempt(m: OutboxRecord, claim: string): Promise<void> {
    const target = targets.get(m.target);
    const outcome = target ? await send(m, target) : { error: `unknown target ${m.target}` };
    const decision = decide(m.attempts, outcome, policy, random());
    const status: number | null = 'status' in outcome ? (outcome.status ?? null) : null;
    const logged = { delivery: m.id, target: m.target, event: m.event, attempt: m.attempts, status };
    if (decision.action === 'delivered') {
      if (await repo.markDelivered(db, m.id, claim, status!)) {
        metrics.results.inc({ result: 'delivered' });
        log.info(logged, 'webhook delivered');
      }
    } else if (decision.action === 'retry') {
      if (await repo.markRetry(db, m.id, claim, decision.delayMs, status, decision.reason)) {
        metrics.results.inc({ result: 'retried' });
        log.warn(
          { ...logged, reason: decision.reason, retryInMs: decision.delayMs },
          'webhook attempt failed',
        );
      }
    } else if (await repo.markDead(db, m.id, claim, status, decision.reason)) {
      metrics.results.inc({ result: 'dead' });
      log.error({ ...logged, reason: decision.reason }, 'webhook dead: no more attempts');
    }
  }

  return {
    registerTarget(name, target) {
      if (!NAME.test(name)) throw new Error(`invalid webhook target name ${JSON.stringify(name)}`);
      const url = new URL(target.url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new Error(`webhook target ${name}: not http(s)`);
      if (target.secret.length < 16)
        throw new Error(`webhook target ${name}: secret shorter than 16 characters`);
      targets.set(name, { url: url.toString(), secret: target.secret });
    },

    hasTarget: (name) => targets.has(name),

    async enqueue(input, tx) {
      if (!targets.has(input.target))
        throw new BadRequest(`target: unknown webhook target ${JSON.stringify(input.target)}`);
      if (!input.event || input.event.length > 100) throw new BadRequest('event: 1 to 100 characters');
      if (!input.idempotencyKey || input.idempotencyKey.length > 200)
        throw new BadRequest('idempotencyKey: 1 to 200 characters');
      const body = JSON.stringify({
        event: input.event,
        idempotencyKey: input.idempotencyKey,
        occurredAt: new Date().toISOString(),
        data: input.payload,
      });
      const result = await repo.insertMessage(tx ?? db, {
        target: input.target,
        event: input.event,
        body,
        idempotencyKey: input.idempotencyKey,
      });
      // Outside a transaction the row is visible now; inside one, the next poll finds it.
      if (!tx && result.created) deps.nudge();
      return result;
    },

    async list(q) {
      const { items, total } = await repo.listMessages(db, q);
      return { items: items.map(toEntry), total };
    },

    requeue: async (id) => {
      const done = await repo.requeue(db, id);
      if (done) deps.nudge();
      return done;
    },

    async deliverDue() {
      const claim = randomUUID();
      const due = await repo.claimDue(db, claim, deps.batch, leaseS);
      await Promise.all(
        due.map((m) =>
          attempt(m, claim).catch((err) => log.error({ err, delivery: m.id }, 'webhook attempt crashed')),
        ),
      );
      return due.length;
    },
  };
}
