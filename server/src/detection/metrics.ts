import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DetectionMetrics = ReturnType<typeof createDetectionMetrics>;

/** Detection's Prometheus metrics, registered on the app's registry. */
export function createDetectionMetrics(registry: Registry, queued: () => number) {
  const registers = [registry];
  return {
    inputs: new Counter({
      name: 'gridwatch_detection_inputs_total',
      help: 'Readings, events and status changes run through the detection engine',
      registers,
    }),
    findings: new Counter({
      name: 'gridwatch_detection_findings_total',
      help: 'Findings handed to the alert service, by action (raise, clear)',
      labelNames: ['action'] as const,
      registers,
    }),
    dropped: new Counter({
      name: 'gridwatch_detection_dropped_total',
      help: 'Inputs dropped because the detection queue was full',
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'gridwatch_detection_batch_seconds',
      help: 'Time to run one batch of inputs through the engine',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    }),
    queued: new Gauge({
      name: 'gridwatch_detection_queued',
      help: 'Inputs waiting for the engine',
      registers,
      collect() {
        this.set(queued());
      },
    }),
  };
}
