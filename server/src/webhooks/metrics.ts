import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { countByState } from './repository.ts';

export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>;

export function createWebhookMetrics(registry: Registry, db: pg.Pool) {
  const registers = [registry];
  return {
    results: new Counter({
      name: 'gridwatch_webhook_attempts_total',
      help: 'Webhook delivery attempts by result: delivered, retried (failed, will try again), dead (given up)',
      labelNames: ['result'] as const,
      registers,
    }),
    depth: new Gauge({
      name: 'gridwatch_webhook_outbox',
      help: 'Webhook messages by state; pending is the queue depth',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const rows = await countByState(db).catch(() => []);
        this.reset();
        for (const state of ['pending', 'delivered', 'dead']) {
          this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
        }
      },
    }),
  };
}
