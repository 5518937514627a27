import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `task` every `intervalMs` (first after `firstDelayMs`), never two at once in this
 * process: `runNow()` waits for a run in progress, then runs. `stop()` clears the timer and
 * waits for the run in progress. A failing run is logged and the next one tries again.
 */
export class PeriodicJob<T, A = void> {
  private timer: NodeJS.Timeout | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly task: (arg?: A) => Promise<T>,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(firstDelayMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.runNow()
        .catch((err) => this.log.warn({ err, job: this.name }, 'periodic job failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, firstDelayMs).unref();
  }

  /** `arg` reaches the task (e.g. a larger time budget for a manual catch-up). */
  runNow(arg?: A): Promise<T> {
    const run = this.tail.then(() => this.task(arg));
    this.tail = run.catch(() => {});
    return run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.tail;
  }
}
