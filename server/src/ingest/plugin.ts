import { CHANNELS, INGEST_TOPIC_FILTER } from '@gridwatch/devices';
import fp from 'fastify-plugin';
import { checkDevice, decodePayload } from './decode.ts';
import { DeviceCache } from './device-cache.ts';
import type { IngestItem } from './item.ts';
import { LastSeen } from './last-seen.ts';
import { createIngestMetrics } from './metrics.ts';
import { MqttSource } from './mqtt-source.ts';
import type { BatchResult } from './store.ts';
import { compileValidators } from './validators.ts';
import { BatchWriter } from './writer.ts';

/** How long a graceful shutdown waits for pending batches to commit. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * MQTT ingest: subscribe (persistent session, QoS 1), decode, write in batches, and only
 * then acknowledge to the broker. Fresh rows go on the bus after commit.
 */
export default fp(
  async (app) => {
    const { config, gw, bus } = app;
    const log = app.log.child({ domain: 'ingest' });
    const metrics = createIngestMetrics(app.metrics, () => pending());
    const validators = compileValidators();
    const devices = new DeviceCache(app.db);
    await devices.reload();
    const onDevicesChanged = () => {
      devices.reload().catch((err) => log.error({ err }, 'device cache reload failed'));
    };
    bus.on('devices-changed', onDevicesChanged);
    const lastSeen = new LastSeen(app.db, log);
    const limits = {
      maxPayloadBytes: config.INGEST_MAX_PAYLOAD_BYTES,
      maxFutureMs: config.INGEST_MAX_FUTURE_S * 1000,
    };

    const emit = <A extends unknown[]>(fn: (...args: A) => unknown, ...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        log.error({ err }, 'bus listener threw');
      }
    };
    const onCommitted = (result: BatchResult, items: IngestItem[], seconds: number) => {
      for (const item of items) if (item.ack) source.settle(item.ack);
      metrics.batchSize.observe(items.length);
      if (seconds > 0) metrics.commitSeconds.observe(seconds);
      for (const o of result.outcomes) metrics.messages.inc({ channel: o.channel, result: o.outcome });
      for (const d of result.deadLetters) metrics.deadLetters.inc({ reason: d.reason });
      devices.learn(result.discovered);
      lastSeen.note(result.seen);
      if (result.readings.length > 0) emit(() => bus.emit('readings', result.readings));
      if (result.events.length > 0) emit(() => bus.emit('device-events', result.events));
      for (const change of result.statusChanges) emit(() => bus.emit('device-status', change));
    };
    const writerOptions = {
      pool: app.db,
      log,
      batchMax: config.INGEST_BATCH_MAX,
      flushMs: config.INGEST_FLUSH_MS,
      onCommitted,
      onDatabaseUp: (up: boolean) => metrics.databaseUp.set(up ? 1 : 0),
      onProgress: () => source.resume(),
    };
    const writer = new BatchWriter({
      ...writerOptions,
      concurrency: config.INGEST_CONCURRENCY ?? (gw.databaseEmbedded ? 1 : 4),
    });
    // Statuses go through their own lane, one batch at a time, so a device's online and
    // offline are applied in the order they arrived.
    const statusWriter = new BatchWriter({ ...writerOptions, concurrency: 1 });
    const pending = () => writer.pending + statusWriter.pending;
    metrics.databaseUp.set(1);

    const accept = (topic: string, payload: Buffer, ack: IngestItem['ack']) => {
      const receivedAt = Date.now();
      const channel = topic.slice(topic.lastIndexOf('/') + 1);
      const item: IngestItem = {
        topic,
        channel: (CHANNELS as readonly string[]).includes(channel) ? channel : 'unknown',
        payload,
        receivedAt,
        ack,
        message: null,
        rejection: null,
      };
      const decoded = decodePayload(topic, payload, validators, limits, receivedAt);
      if (decoded.ok) {
        item.message = decoded.message;
        item.rejection = checkDevice(decoded.message, devices.kindOf(decoded.message.deviceId));
      } else {
        item.rejection = decoded.rejection;
      }
      (item.message?.channel === 'status' ? statusWriter : writer).push(item);
    };

    const source = new MqttSource({
      url: gw.mqtt.url,
      username: gw.mqtt.username,
      password: gw.mqtt.password,
      clientId: config.MQTT_CLIENT_ID,
      topicFilter: config.MQTT_SHARED_GROUP
        ? `$share/${config.MQTT_SHARED_GROUP}/${INGEST_TOPIC_FILTER}`
        : INGEST_TOPIC_FILTER,
      log,
      accept,
      isFull: () => pending() >= config.INGEST_MAX_PENDING,
      onConnected: (up) => metrics.brokerConnected.set(up ? 1 : 0),
      onPaused: (paused) => metrics.paused.set(paused ? 1 : 0),
    });
    app.readiness.set('broker', () => source.connected);

    // Start once every plugin is loaded, so bus listeners (detection, realtime) hear the
    // first messages too.
    app.addHook('onReady', async () => {
      lastSeen.start();
      source.start();
      // The embedded broker admits devices only once this subscription exists; it is in
      // this process, so waiting for it is short. An external broker may be down: the
      // server starts anyway and /readyz says so.
      if (gw.mqtt.embedded && !(await source.subscribed(15_000))) {
        log.error('embedded broker: subscription not in place after 15 s');
      }
    });
    // Stop reading, let what is pending commit and be acknowledged, then disconnect.
    app.addHook('onClose', async () => {
      if (gw.mqtt.embedded) await source.quiesce(200, 3000);
      source.stopReading();
      log.info({ pending: pending() }, 'ingest stopping: committing what is pending');
      const [main, status] = await Promise.all([
        writer.drain(DRAIN_TIMEOUT_MS),
        statusWriter.drain(DRAIN_TIMEOUT_MS),
      ]);
      if (!main || !status)
        log.warn({ pending: pending() }, 'shutdown before every batch committed; the broker will redeliver');
      log.info({ heldAcks: source.heldAcks }, 'ingest drained');
      await lastSeen.stop();
      await source.end();
      bus.off('devices-changed', onDevicesChanged);
    });
  },
  { name: 'ingest', dependencies: ['db', 'bus', 'metrics', 'health'] },
);
