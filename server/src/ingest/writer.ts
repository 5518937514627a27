import type { FastifyBaseLogger as Logger } from 'fastify';
import type pg from 'pg';
import { isTransientDbError } from './db-errors.ts';
import type { IngestItem } from './item.ts';
import { type BatchResult, writeBatch } from './store.ts';

export interface BatchWriterOptions {
  pool: pg.Pool;
  log: Logger;
  /** Rows per batch. */
  batchMax: number;
  /** Longest wait before a partial batch is written. */
  flushMs: number;
  /** Batches committing at once. */
  concurrency: number;
  /** Called after each commit, before the next batch of this slot starts. */
  onCommitted(result: BatchResult, items: IngestItem[], seconds: number): void;
  /** Database reachable or not, as the last attempt found it. */
  onDatabaseUp(up: boolean): void;
  /** A batch left the pipeline: pending went down. */
  onProgress(): void;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Collects items into batches and writes each in one transaction, up to `concurrency` at
 * once. While the database is unreachable a batch is retried with backoff and its
 * messages stay unacknowledged. A batch the database refuses for its content is split
 * until the refused row is alone, and that row becomes a dead letter.
 */
export class BatchWriter {
  private queue: IngestItem[] = [];
  private inFlight = 0;
  private inFlightItems = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushAll = false;
  private abandoned = false;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly opts: BatchWriterOptions) {}

  /** Messages received and not yet committed. */
  get pending(): number {
    return this.queue.length + this.inFlightItems;
  }

  push(item: IngestItem): void {
    this.queue.push(item);
    this.schedule();
  }

  /** Writes everything queued, then resolves; gives up (leaving it unacknowledged) after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.flushAll = true;
    this.schedule();
    if (this.pending === 0) return true;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([idle, late]);
    clearTimeout(timer);
    if (!drained) {
      this.abandoned = true;
      for (const wake of this.sleepers) wake();
      this.queue = [];
    }
    if (this.timer) clearTimeout(this.timer);
    return drained;
  }

  private schedule(): void {
    const { batchMax, flushMs, concurrency } = this.opts;
    while (this.inFlight < concurrency && this.queue.length > 0 && !this.abandoned) {
      const due =
        this.flushAll || this.queue.length >= batchMax || Date.now() - this.queue[0]!.receivedAt >= flushMs;
      if (!due) break;
      this.start(this.queue.splice(0, batchMax));
    }
    if (this.queue.length > 0 && !this.timer && !this.abandoned) {
      const wait = Math.max(1, flushMs - (Date.now() - this.queue[0]!.receivedAt));
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
    }
  }

  private start(items: IngestItem[]): void {
    this.inFlight += 1;
    this.inFlightItems += items.length;
    this.commit(items)
      .catch((err) =>
        this.opts.log.error({ err }, 'batch failed unexpectedly; its messages stay unacknowledged'),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.inFlightItems -= items.length;
        this.opts.onProgress();
        this.schedule();
        if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  private async commit(items: IngestItem[]): Promise<void> {
    let backoff = 100;
    for (;;) {
      if (this.abandoned) return;
      try {
        await this.attempt(items);
        return;
      } catch (err) {
        if (!isTransientDbError(err)) {
          if (items.length > 1) {
            const half = Math.ceil(items.length / 2);
            await this.commit(items.slice(0, half));
            await this.commit(items.slice(half));
            return;
          }
          const item = items[0]!;
          if (item.rejection?.reason === 'rejected-by-database') {
            // Even its dead letter was refused: nothing more can be done with it.
            this.opts.log.error(
              { err, topic: item.topic.slice(0, 200) },
              'message dropped: not storable at all',
            );
            this.opts.onCommitted(emptyResult(), items, 0);
            return;
          }
          const e = err as { code?: string; message?: string };
          items[0] = {
            ...item,
            rejection: {
              reason: 'rejected-by-database',
              detail: `${e.code ?? ''} ${e.message ?? String(err)}`.trim().slice(0, 500),
              deviceId: item.message?.deviceId ?? item.rejection?.deviceId ?? null,
            },
          };
          continue;
        }
        this.opts.onDatabaseUp(false);
        if (backoff === 100)
          this.opts.log.warn({ err }, 'database unavailable; holding acknowledgements and retrying');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async attempt(items: IngestItem[]): Promise<void> {
    const started = performance.now();
    const client = await this.opts.pool.connect();
    // A connection lost while checked out also emits 'error' on the client (pg reports it
    // besides failing the query); without a listener that would crash the process.
    const onLost = (err: Error) => this.opts.log.debug({ err }, 'database connection lost during a batch');
    client.on('error', onLost);
    let result: BatchResult;
    try {
      result = await writeBatch(client, items);
      client.off('error', onLost);
      client.release();
    } catch (err) {
      client.off('error', onLost);
      // A connection that failed mid-transaction is not given back to the pool.
      client.release(isTransientDbError(err) ? (err as Error) : undefined);
      throw err;
    }
    this.opts.onDatabaseUp(true);
    this.opts.onCommitted(result, items, (performance.now() - started) / 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function emptyResult(): BatchResult {
  return {
    readings: [],
    events: [],
    statusChanges: [],
    deadLetters: [],
    outcomes: [],
    discovered: [],
    seen: new Map(),
  };
}
