import type { FastifyBaseLogger } from 'fastify';
import {
  createEngineState,
  type DetectionInput,
  type EngineState,
  type RuleSet,
  step,
} from './core/engine.ts';
import type { Finding } from './core/types.ts';
import type { DetectionMetrics } from './metrics.ts';

/** Period of the clock tick that finds silent devices and expires timed alerts. @default 5000 */
export const TICK_MS = 5_000;
/** Inputs held before the oldest are dropped: detection must never hold ingest back. @default 200000 */
export const MAX_QUEUE = 200_000;

/**
 * Feeds the pure engine: queues inputs (the bus listeners only enqueue), runs them in one
 * batch on the next turn of the event loop with the wall clock as engine time, ticks the
 * clock every `TICK_MS`, and hands each batch's findings to `deliver`. Keeps the engine
 * state and the ids of devices whose state changed since the last snapshot.
 */
export class DetectionFeeder {
  state: EngineState = createEngineState();
  /** Devices whose state changed since the last snapshot. */
  readonly dirty = new Set<string>();
  private queue: DetectionInput[] = [];
  private scheduled = false;
  private dropped = 0;
  private tick: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      rules: RuleSet;
      metrics: DetectionMetrics;
      log: FastifyBaseLogger;
      deliver: (findings: Finding[]) => void;
    },
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  enqueue(inputs: DetectionInput[]): void {
    const { metrics, log } = this.deps;
    for (const input of inputs) this.queue.push(input);
    if (this.queue.length > MAX_QUEUE) {
      const over = this.queue.length - MAX_QUEUE;
      this.dropped += over;
      metrics.dropped.inc(over);
      this.queue.splice(0, over);
      log.warn({ dropped: this.dropped }, 'detection queue full: oldest inputs dropped');
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Runs what is queued now. */
  drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    try {
      this.run(batch, Date.now());
    } catch (err) {
      this.deps.log.error({ err }, 'detection failed on a batch');
    }
  }

  start(): void {
    this.tick = setInterval(() => this.enqueue([{ type: 'tick' }]), TICK_MS);
    this.tick.unref();
  }

  /** Stops the clock and runs what is still queued. */
  stop(): void {
    clearInterval(this.tick);
    if (this.queue.length > 0) this.drain();
  }

  private run(inputs: DetectionInput[], now: number): void {
    const { metrics, rules, deliver } = this.deps;
    const stopTimer = metrics.batchSeconds.startTimer();
    const findings: Finding[] = [];
    for (const input of inputs) {
      const result = step(this.state, input, rules, now);
      this.state = result.state;
      if (input.type !== 'tick') this.dirty.add(input.deviceId);
      for (const f of result.findings) findings.push(f);
    }
    stopTimer();
    metrics.inputs.inc(inputs.length);
    for (const f of findings) metrics.findings.inc({ action: f.action });
    if (findings.length > 0) deliver(findings);
  }
}
