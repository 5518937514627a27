/**
 * The ceiling: a bare mqtt.js subscriber in its own process, with the same persistent QoS 1
 * session ingest uses, that only parses and counts the bench fleet's messages. Whatever
 * ingest achieves is compared to this.
 *
 * Messages: parent → { cmd: 'report' } | { cmd: 'close' }; child → BareSubscriberMessage.
 */
import { INGEST_TOPIC_FILTER } from '@gridwatch/devices';
import mqtt from 'mqtt';

export interface BareSubscriberConfig {
  mqttUrl: string;
  username?: string;
  password?: string;
  clientId: string;
  /** Count only messages of devices whose id starts with `${prefix}-` (the broker is shared). */
  prefix: string;
}

export interface BareSubscriberReport {
  received: number;
  parseErrors: number;
  firstAt: number;
  lastAt: number;
  /** Messages received in each wall-clock second since the first. */
  perSecond: number[];
  /** Receive time − payload ts, sampled (1 in 50). */
  latencySample: number[];
}

export type BareSubscriberMessage =
  | { type: 'ready' }
  | { type: 'report'; report: BareSubscriberReport }
  | { type: 'closed' }
  | { type: 'error'; message: string };

const send = (m: BareSubscriberMessage) => process.send?.(m);

async function main() {
  const cfg = JSON.parse(process.env.GW_SUBSCRIBER_CONFIG ?? '{}') as BareSubscriberConfig;
  const report: BareSubscriberReport = {
    received: 0,
    parseErrors: 0,
    firstAt: 0,
    lastAt: 0,
    perSecond: [],
    latencySample: [],
  };
  const marker = `/${cfg.prefix}-`;
  const client = await mqtt.connectAsync(cfg.mqttUrl, {
    clientId: cfg.clientId,
    username: cfg.username,
    password: cfg.password,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 15_000,
  });
  client.on('error', () => {});
  client.on('message', (topic, payload) => {
    if (!topic.includes(marker) || topic.endsWith('/status')) return;
    const now = Date.now();
    try {
      const msg = JSON.parse(payload.toString()) as { ts?: number };
      if (report.received % 50 === 0 && typeof msg.ts === 'number') report.latencySample.push(now - msg.ts);
    } catch {
      report.parseErrors++;
    }
    if (report.firstAt === 0) report.firstAt = now;
    report.lastAt = now;
    report.received++;
    const second = Math.floor((now - report.firstAt) / 1000);
    report.perSecond[second] = (report.perSecond[second] ?? 0) + 1;
  });
  await client.subscribeAsync(INGEST_TOPIC_FILTER, { qos: 1 });
  send({ type: 'ready' });
  process.on('message', async (m: { cmd: string }) => {
    if (m.cmd === 'report') send({ type: 'report', report });
    else if (m.cmd === 'close') {
      await client.endAsync().catch(() => {});
      // End the persistent session, or the broker keeps queueing for it.
      const cleaner = await mqtt
        .connectAsync(cfg.mqttUrl, {
          clientId: cfg.clientId,
          username: cfg.username,
          password: cfg.password,
          clean: true,
          reconnectPeriod: 0,
        })
        .catch(() => null);
      await cleaner?.endAsync().catch(() => {});
      send({ type: 'closed' });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100);
    }
  });
  process.on('disconnect', () => {
    client.endAsync().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  send({ type: 'error', message: (err as Error).message });
  setTimeout(() => process.exit(1), 100);
});
