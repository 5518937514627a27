import fp from 'fastify-plugin';
import { catalogueRuleSet, utcOffsetMinutes } from './core/rule-set.ts';
import type { Finding } from './core/types.ts';
import { DetectionFeeder } from './feeder.ts';
import { createDetectionMetrics } from './metrics.ts';
import { loadState, saveState } from './repository.ts';

/**
 * Detection: the bus feeds the pure engine (core/) through the feeder, findings go to the
 * alert service (which applies them in order, one batch at a time), and the engine state
 * is snapshot to `detector_state` so a restart resumes mid-condition.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'detection' });
    const rules = catalogueRuleSet(app.registry.directory, utcOffsetMinutes(app.config.TIME_ZONE));
    const metrics = createDetectionMetrics(app.metrics, () => feeder.queued);
    /** The latest apply: the alert service queues them, so awaiting it awaits every one before. */
    let applied: Promise<unknown> = Promise.resolve();
    const deliver = (findings: Finding[]) => {
      applied = app.alerts
        .apply(findings)
        .catch((err) => log.error({ err, findings: findings.length }, 'applying findings failed'));
    };
    const feeder = new DetectionFeeder({ rules, metrics, log, deliver });

    app.bus.on('readings', (readings) => {
      feeder.enqueue(
        readings.map((r) => ({
          type: 'reading',
          deviceId: r.deviceId,
          ts: r.ts,
          data: r.data as unknown as Record<string, unknown>,
        })),
      );
    });
    app.bus.on('device-events', (events) => {
      feeder.enqueue(
        events.map((e) => ({ type: 'event', deviceId: e.deviceId, ts: e.ts, event: e.data.type })),
      );
    });
    app.bus.on('device-status', (c) => {
      feeder.enqueue([
        { type: 'status', deviceId: c.deviceId, at: c.at, online: c.online, reason: c.reason },
      ]);
    });

    async function save(all = false): Promise<void> {
      const { state, dirty } = feeder;
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

    let saver: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      feeder.state = await loadState(app.db, Date.now(), app.config.DETECTION_RESTART_GRACE_S * 1000);
      log.info(
        { devices: app.registry.directory.size, restored: Object.keys(feeder.state.devices).length },
        'detection ready',
      );
      feeder.start();
      saver = setInterval(() => {
        save().catch((err) =>
          log.warn({ err: (err as Error).message }, 'saving detector state failed; will retry'),
        );
      }, app.config.DETECTION_SAVE_MS);
      saver.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(saver);
      feeder.stop();
      await applied;
      await save(true).catch((err) => log.error({ err }, 'saving detector state failed'));
    });
  },
  { name: 'detection', dependencies: ['db', 'bus', 'alerts', 'registry'] },
);
