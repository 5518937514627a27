import { CHANNELS, INGEST_TOPIC_FILTER, TOPIC_ROOT } from '@gridwatch/devices';
import fp from 'fastify-plugin';
import type { AckHandle } from '../infra/puback-ledger.ts';
import { checkDevice, decodePayload } from './decode.ts';
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
    const { registry } = app;
    const lastSeen = new LastSeen(app.db, log);
    const limits = {
      maxPayloadBytes: config.INGEST_MAX_PAYLOAD_BYTES,
      maxFutureMs: config.INGEST_MAX_FUTURE_S * 1000,
      maxAgeMs: config.INGEST_MAX_AGE_S * 1000,
    };

    const emit = <A extends unknown[]>(fn: (...args: A) => unknown, ...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        log.error({ err }, 'bus listener threw');
      }
    };
    const onCommitted = (result: BatchResult, items: IngestItem[], seconds: number) => {
      // A batch comes from one lane, so from one MQTT session.
      const acks: AckHandle[] = [];
      for (const item of items) if (item.ack) acks.push(item.ack);
      if (acks.length > 0) (items[0]!.lane === 'events' ? eventSource : source).settleMany(acks);
      metrics.batchSize.observe(items.length);
      if (seconds > 0) metrics.commitSeconds.observe(seconds);
      for (const o of result.outcomes)
        metrics.messages.inc({ channel: o.channel, result: o.outcome }, o.count);
      for (const d of result.deadLetters) metrics.deadLetters.inc({ reason: d.reason });
      if (result.discovered.length > 0) registry.learn(result.discovered);
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
    };
    const writer = new BatchWriter({
      ...writerOptions,
      concurrency: config.INGEST_CONCURRENCY ?? (gw.databaseEmbedded ? 1 : 3),
      onProgress: () => source.resume(),
    });
    // Events and statuses have a lane of their own (own MQTT session, own batches): an
    // alarm never waits behind a backlog of readings. Few, so written at once.
    const eventWriter = new BatchWriter({
      ...writerOptions,
      flushMs: Math.min(config.INGEST_FLUSH_MS, 2),
      concurrency: 1,
      onProgress: () => eventSource.resume(),
    });
    // Statuses one batch at a time, so a device's online and offline are applied in the
    // order they arrived.
    const statusWriter = new BatchWriter({
      ...writerOptions,
      concurrency: 1,
      onProgress: () => eventSource.resume(),
    });
    const pending = () => writer.pending + eventWriter.pending + statusWriter.pending;
    metrics.databaseUp.set(1);

    const decode = (topic: string, payload: Buffer, ack: IngestItem['ack'], lane: IngestItem['lane']) => {
      const receivedAt = Date.now();
      const channel = topic.slice(topic.lastIndexOf('/') + 1);
      const item: IngestItem = {
        topic,
        channel: (CHANNELS as readonly string[]).includes(channel) ? channel : 'unknown',
        payload,
        receivedAt,
        ack,
        lane,
        message: null,
        rejection: null,
      };
      const decoded = decodePayload(topic, payload, validators, limits, receivedAt);
      if (decoded.ok) {
        item.message = decoded.message;
        item.rejection = checkDevice(decoded.message, registry.directory.get(decoded.message.deviceId)?.kind);
      } else {
        item.rejection = decoded.rejection;
      }
      return item;
    };
    const isEventTopic = (topic: string) => topic.endsWith('/event') || topic.endsWith('/status');

    const filter = (f: string) => (config.MQTT_SHARED_GROUP ? `$share/${config.MQTT_SHARED_GROUP}/${f}` : f);
    const mqttOptions = {
      url: gw.mqtt.url,
      username: gw.mqtt.username,
      password: gw.mqtt.password,
      log,
      onConnected: () => metrics.brokerConnected.set(source.connected && eventSource.connected ? 1 : 0),
      onPaused: (paused: boolean) => metrics.paused.set(paused ? 1 : 0),
    };
    // Readings (and whatever else matches gw/+/+/+, so bad topics are dead-lettered). Events
    // and statuses arrive here too but are stored by the events session, which the broker
    // queues for separately: here they are only acknowledged.
    const source = new MqttSource({
      ...mqttOptions,
      clientId: config.MQTT_CLIENT_ID,
      topicFilter: filter(INGEST_TOPIC_FILTER),
      accept: (topic, payload, ack) => {
        if (isEventTopic(topic)) {
          if (ack) source.settle(ack);
          return;
        }
        writer.push(decode(topic, payload, ack, 'telemetry'));
      },
      isFull: () => writer.pending >= config.INGEST_MAX_PENDING,
    });
    const eventSource = new MqttSource({
      ...mqttOptions,
      clientId: `${config.MQTT_CLIENT_ID}-events`,
      topicFilter: [filter(`${TOPIC_ROOT}/+/+/event`), filter(`${TOPIC_ROOT}/+/+/status`)],
      accept: (topic, payload, ack) => {
        const item = decode(topic, payload, ack, 'events');
        (item.message?.channel === 'status' ? statusWriter : eventWriter).push(item);
      },
      isFull: () => eventWriter.pending + statusWriter.pending >= config.INGEST_MAX_PENDING,
    });
    app.readiness.set('broker', () => source.connected && eventSource.connected);

    // Start once every plugin is loaded, so bus listeners (detection, realtime) hear the
    // first messages too.
    app.addHook('onReady', async () => {
      lastSeen.start();
      eventSource.start();
      source.start();
      // The embedded broker admits devices only once this subscription exists; it is in
      // this process, so waiting for it is short. An external broker may be down: the
      // server starts anyway and /readyz says so.
      const subscribed = await Promise.all([source.subscribed(15_000), eventSource.subscribed(15_000)]);
      if (gw.mqtt.embedded && !subscribed.every(Boolean)) {
        log.error('embedded broker: subscription not in place after 15 s');
      }
    });
    // Stop reading, let what is pending commit and be acknowledged, then disconnect.
    app.addHook('onClose', async () => {
      if (gw.mqtt.embedded) await Promise.all([source.quiesce(200, 3000), eventSource.quiesce(200, 3000)]);
      source.stopReading();
      eventSource.stopReading();
      log.info({ pending: pending() }, 'ingest stopping: committing what is pending');
      const drained = await Promise.all([
        writer.drain(DRAIN_TIMEOUT_MS),
        eventWriter.drain(DRAIN_TIMEOUT_MS),
        statusWriter.drain(DRAIN_TIMEOUT_MS),
      ]);
      if (!drained.every(Boolean))
        log.warn({ pending: pending() }, 'shutdown before every batch committed; the broker will redeliver');
      log.info({ heldAcks: source.heldAcks + eventSource.heldAcks }, 'ingest drained');
      await lastSeen.stop();
      await Promise.all([source.end(), eventSource.end()]);
    });
  },
  { name: 'ingest', dependencies: ['db', 'bus', 'metrics', 'health', 'registry'] },
);
