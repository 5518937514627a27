import type { Alert } from '@gridwatch/devices';

/**
 * Puts alert changes on the bus without flooding it: new alerts and significant changes go
 * at once; plain repeats of one alert go at most once per `windowMs`, the latest state
 * last (trailing), so clients still end with the true count.
 */
export class AlertEmitter {
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, { alert: Alert; timer: NodeJS.Timeout }>();

  constructor(
    private readonly send: (alert: Alert, change: 'new' | 'update') => void,
    /** @default 2000 */
    private readonly windowMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  emit(alert: Alert, change: 'new' | 'update', significant: boolean): void {
    const t = this.now();
    const last = this.lastSent.get(alert.id);
    if (change === 'new' || significant || last === undefined || t - last >= this.windowMs) {
      this.cancel(alert.id);
      this.flush(alert, change, t);
      return;
    }
    const waiting = this.pending.get(alert.id);
    if (waiting) {
      waiting.alert = alert;
      return;
    }
    const timer = setTimeout(
      () => {
        const entry = this.pending.get(alert.id);
        this.pending.delete(alert.id);
        if (entry) this.flush(entry.alert, 'update', this.now());
      },
      this.windowMs - (t - last),
    );
    timer.unref();
    this.pending.set(alert.id, { alert, timer });
  }

  /** Forgets alerts not sent within the window, so memory follows the live alerts only. */
  prune(): void {
    const t = this.now();
    for (const [id, at] of this.lastSent)
      if (t - at > this.windowMs && !this.pending.has(id)) this.lastSent.delete(id);
  }

  stop(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.lastSent.clear();
  }

  private cancel(id: string): void {
    const entry = this.pending.get(id);
    if (entry) clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  private flush(alert: Alert, change: 'new' | 'update', t: number): void {
    this.lastSent.set(alert.id, t);
    this.send(alert, change);
  }
}
