import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** Ingest's Prometheus metrics, registered on the app's registry. */
export function createIngestMetrics(registry: Registry, pending: () => number) {
  const registers = [registry];
  return {
    messages: new Counter({
      name: 'gridwatch_ingest_messages_total',
      help: 'MQTT messages by channel and result (stored, duplicate, dead-letter)',
      labelNames: ['channel', 'result'] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: 'gridwatch_ingest_batch_size',
      help: 'Messages per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'gridwatch_ingest_commit_seconds',
      help: 'Time to write and commit one batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    deadLetters: new Counter({
      name: 'gridwatch_ingest_dead_letters_total',
      help: 'Messages that can never be stored, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    pending: new Gauge({
      name: 'gridwatch_ingest_pending',
      help: 'Messages received and not yet committed (PUBACK held)',
      registers,
      collect() {
        this.set(pending());
      },
    }),
    brokerConnected: new Gauge({
      name: 'gridwatch_ingest_broker_connected',
      help: '1 while the ingest MQTT client is connected',
      registers,
    }),
    databaseUp: new Gauge({
      name: 'gridwatch_ingest_database_up',
      help: '1 while the last ingest write reached the database',
      registers,
    }),
    paused: new Gauge({
      name: 'gridwatch_ingest_paused',
      help: '1 while ingest stopped reading because INGEST_MAX_PENDING messages are pending',
      registers,
    }),
  };
}
