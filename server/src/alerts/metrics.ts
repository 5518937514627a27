import type pg from 'pg';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type AlertMetrics = ReturnType<typeof createAlertMetrics>;

/** Alert service metrics, on the app's registry. */
export function createAlertMetrics(registry: Registry, db: pg.Pool) {
  const registers = [registry];
  return {
    changes: new Counter({
      name: 'gridwatch_alert_changes_total',
      help: 'Alert lifecycle changes (raised, repeated, escalated, cleared, acknowledged, resolved, overdue)',
      labelNames: ['change'] as const,
      registers,
    }),
    applySeconds: new Histogram({
      name: 'gridwatch_alert_apply_seconds',
      help: 'Time to record one batch of detection findings',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    open: new Gauge({
      name: 'gridwatch_alerts_open',
      help: 'Alerts not resolved, by state and overdue',
      labelNames: ['state', 'overdue'] as const,
      registers,
      async collect() {
        this.reset();
        const { rows } = await db
          .query<{ state: string; overdue: boolean; n: number }>(
            `SELECT state, overdue, count(*)::int AS n FROM alerts WHERE state <> 'resolved' GROUP BY state, overdue`,
          )
          .catch(() => ({ rows: [] }));
        for (const r of rows) this.set({ state: r.state, overdue: String(r.overdue) }, r.n);
      },
    }),
  };
}
