import type { FastifyBaseLogger as Logger } from 'fastify';
import type pg from 'pg';
import { updateLastSeen } from '../registry/repository.ts';

/** Collects when devices were last heard from and writes it every `periodMs`, not per message. */
export class LastSeen {
  private seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly periodMs = 5000,
  ) {}

  note(seen: Map<string, number>): void {
    for (const [id, at] of seen) this.seen.set(id, Math.max(this.seen.get(id) ?? 0, at));
  }

  start(): void {
    this.timer = setInterval(() => {
      this.flush().catch(() => {});
    }, this.periodMs);
    this.timer.unref();
  }

  /** Writes what was collected; on failure keeps it for the next round. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.seen.size === 0) return;
      const batch = this.seen;
      this.seen = new Map();
      try {
        await updateLastSeen(this.pool, batch);
      } catch (err) {
        this.note(batch);
        this.log.debug({ err }, 'last_seen update failed; retrying later');
      }
    });
    return this.writing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
