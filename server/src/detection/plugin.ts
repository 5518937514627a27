import fp from 'fastify-plugin';
import { createEngineState, type DetectionInput, type EngineState, step } from './engine.ts';
import { createDetectionMetrics } from './metrics.ts';
import { loadState, saveState } from './repository.ts';
import { catalogueRuleSet, utcOffsetMinutes } from './rule-set.ts';
import type { Finding } from './types.ts';

/** Period of the clock tick that finds silent devices and expires timed alerts. */
const TICK_MS = 5_000;
/** Inputs held before the oldest are dropped: detection must never hold ingest back. */
const MAX_QUEUE = 200_000;

/**
 * Detection: listens to the bus, runs the pure engine over each batch off the ingest path
 * (the listeners only queue), hands findings to the alert service, and snapshots the
 * engine state to `detector_state` so a restart resumes mid-condition.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'detection' });
    const devices = app.registry.directory;
    const rules = catalogueRuleSet(devices, utcOffsetMinutes(app.config.TIME_ZONE));
    let state: EngineState = createEngineState();
    const dirty = new Set<string>();
    let queue: DetectionInput[] = [];
    let scheduled = false;
    let dropped = 0;
    const metrics = createDetectionMetrics(app.metrics, () => queue.length);
    let applying: Promise<unknown> = Promise.resolve();

    function deliver(findings: Finding[]): void {
      if (findings.length === 0) return;
      // Keep findings in order: one apply at a time.
      applying = applying
        .then(() => app.alerts.apply(findings))
        .catch((err) => log.error({ err, findings: findings.length }, 'applying findings failed'));
    }

    function run(inputs: DetectionInput[], now: number): void {
      const stopTimer = metrics.batchSeconds.startTimer();
      const findings: Finding[] = [];
      for (const input of inputs) {
        const result = step(state, input, rules, now);
        state = result.state;
        if (input.type !== 'tick') dirty.add(input.deviceId);
        for (const f of result.findings) findings.push(f);
      }
      stopTimer();
      metrics.inputs.inc(inputs.length);
      for (const f of findings) metrics.findings.inc({ action: f.action });
      deliver(findings);
    }

    function drain(): void {
      scheduled = false;
      const batch = queue;
      queue = [];
      try {
        run(batch, Date.now());
      } catch (err) {
        log.error({ err }, 'detection failed on a batch');
      }
    }

    function enqueue(inputs: DetectionInput[]): void {
      for (const input of inputs) queue.push(input);
      if (queue.length > MAX_QUEUE) {
        dropped += queue.length - MAX_QUEUE;
        metrics.dropped.inc(queue.length - MAX_QUEUE);
        queue.splice(0, queue.length - MAX_QUEUE);
        log.warn({ dropped }, 'detection queue full: oldest inputs dropped');
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    }

    app.bus.on('readings', (readings) => {
      enqueue(
        readings.map((r) => ({
          type: 'reading',
          deviceId: r.deviceId,
          ts: r.ts,
          data: r.data as unknown as Record<string, unknown>,
        })),
      );
    });
    app.bus.on('device-events', (events) => {
      enqueue(events.map((e) => ({ type: 'event', deviceId: e.deviceId, ts: e.ts, event: e.data.type })));
    });
    app.bus.on('device-status', (c) => {
      enqueue([{ type: 'status', deviceId: c.deviceId, at: c.at, online: c.online, reason: c.reason }]);
    });

    async function save(all = false): Promise<void> {
      const ids = all ? Object.keys(state.devices) : [...dirty];
      dirty.clear();
      try {
        await saveState(app.db, state, ids, Date.now());
      } catch (err) {
        // The database is away: keep these for the next snapshot.
        for (const id of ids) dirty.add(id);
        throw err;
      }
    }

    let tick: NodeJS.Timeout | undefined;
    let saver: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      state = await loadState(app.db, Date.now(), app.config.DETECTION_RESTART_GRACE_S * 1000);
      log.info({ devices: devices.size, restored: Object.keys(state.devices).length }, 'detection ready');
      tick = setInterval(() => enqueue([{ type: 'tick' }]), TICK_MS);
      saver = setInterval(() => {
        save().catch((err) =>
          log.warn({ err: (err as Error).message }, 'saving detector state failed; will retry'),
        );
      }, app.config.DETECTION_SAVE_MS);
      tick.unref();
      saver.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(tick);
      clearInterval(saver);
      if (queue.length > 0) drain();
      await applying;
      await save(true).catch((err) => log.error({ err }, 'saving detector state failed'));
    });
  },
  { name: 'detection', dependencies: ['db', 'bus', 'alerts', 'registry'] },
);
