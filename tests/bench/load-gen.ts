/**
 * Load generator, run as its own process (forked by the benches, IPC for control): one MQTT
 * connection per device with the device's own credentials, a fleet mix of camera, charger
 * and locker payloads valid against the catalogue, QoS 1 with many messages in flight, at a
 * target total rate. Every payload's `ts` is its publish time and `seq` counts per device,
 * so (device, ts, seq) is unique and the database tells publish-to-commit latency.
 *
 * Messages: parent → { cmd: 'start' } | { cmd: 'stop' } | { cmd: 'close' };
 * child → LoadGenMessage.
 */
import { type DeviceKind, deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import { benchFleet, eventPayload, telemetryPayload } from './lib/fleet.ts';

export interface LoadGenConfig {
  mqttUrl: string;
  fleetSecret: string;
  prefix: string;
  /** Size of the whole fleet; this process drives devices [sliceStart, sliceEnd). */
  fleetSize: number;
  sliceStart: number;
  sliceEnd: number;
  /** Messages per second from this process. */
  rate: number;
  /** Stop by itself after this long (0 = until told). */
  seconds: number;
  /** Unacknowledged messages per connection before it waits. */
  maxInflight: number;
  /** Share of messages that are (low-severity) events instead of telemetry. */
  eventShare: number;
  /** How long to keep retrying a refused login (provisioning may run in the background). */
  connectTimeoutS: number;
}

export interface LoadGenReport {
  published: number;
  publishedEvents: number;
  acked: number;
  failed: number;
  /** Epoch ms of the first and last publish. */
  firstPublishAt: number;
  lastPublishAt: number;
  /** Messages published in each second since the start. */
  perSecond: number[];
  /** Ticks where every connection had its in-flight window full (the broker was behind). */
  saturatedTicks: number;
  ticks: number;
}

export type LoadGenMessage =
  | { type: 'connected'; devices: number; ms: number }
  | { type: 'progress'; published: number; acked: number; inflight: number }
  | { type: 'done'; report: LoadGenReport }
  | { type: 'closed' }
  | { type: 'error'; message: string };

interface Conn {
  id: string;
  kind: DeviceKind;
  client: MqttClient;
  telemetryTopic: string;
  eventTopic: string;
  statusTopic: string;
  seq: number;
  inflight: number;
}

const send = (m: LoadGenMessage) => process.send?.(m);

async function connect(cfg: LoadGenConfig, id: string, kind: DeviceKind): Promise<Conn> {
  const statusTopic = deviceTopic(kind, id, 'status');
  const deadline = Date.now() + cfg.connectTimeoutS * 1000;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(cfg.mqttUrl, {
        clientId: id,
        username: id,
        password: devicePassword(cfg.fleetSecret, id),
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 15_000,
        keepalive: 60,
        will: {
          topic: statusTopic,
          payload: Buffer.from(JSON.stringify({ state: 'offline', reason: 'last-will' })),
          qos: 1,
          retain: true,
        },
      });
      client.on('error', () => {});
      await client.publishAsync(statusTopic, JSON.stringify({ state: 'online', ts: Date.now() }), {
        qos: 1,
        retain: true,
      });
      return {
        id,
        kind,
        client,
        telemetryTopic: deviceTopic(kind, id, 'telemetry'),
        eventTopic: deviceTopic(kind, id, 'event'),
        statusTopic,
        seq: 0,
        inflight: 0,
      };
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`device ${id} could not connect: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function connectAll(cfg: LoadGenConfig): Promise<Conn[]> {
  const devices = benchFleet(cfg.prefix, cfg.fleetSize).slice(cfg.sliceStart, cfg.sliceEnd);
  const conns: Conn[] = [];
  const parallel = 20;
  for (let i = 0; i < devices.length; i += parallel) {
    conns.push(...(await Promise.all(devices.slice(i, i + parallel).map((d) => connect(cfg, d.id, d.kind)))));
  }
  return conns;
}

function run(cfg: LoadGenConfig, conns: Conn[], stopSignal: { stop: boolean }): Promise<LoadGenReport> {
  const report: LoadGenReport = {
    published: 0,
    publishedEvents: 0,
    acked: 0,
    failed: 0,
    firstPublishAt: 0,
    lastPublishAt: 0,
    perSecond: [],
    saturatedTicks: 0,
    ticks: 0,
  };
  const start = performance.now();
  const eventEvery = cfg.eventShare > 0 ? Math.max(1, Math.round(1 / cfg.eventShare)) : 0;
  let cursor = 0;
  let lastProgress = start;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = (now - start) / 1000;
      if (stopSignal.stop || (cfg.seconds > 0 && elapsed >= cfg.seconds)) {
        clearInterval(timer);
        resolve(report);
        return;
      }
      report.ticks++;
      let due = Math.floor(cfg.rate * elapsed) - report.published;
      // A tick may lag under load; never burst more than a quarter second's worth at once.
      due = Math.min(due, Math.ceil(cfg.rate / 4));
      let blocked = 0;
      while (due > 0 && blocked < conns.length) {
        const c = conns[cursor]!;
        cursor = (cursor + 1) % conns.length;
        if (c.inflight >= cfg.maxInflight) {
          blocked++;
          continue;
        }
        blocked = 0;
        const ts = Date.now();
        const seq = ++c.seq;
        const isEvent = eventEvery > 0 && (report.published + 1) % eventEvery === 0;
        const payload = isEvent ? eventPayload(c.kind, ts, seq) : telemetryPayload(c.kind, ts, seq);
        c.inflight++;
        c.client.publish(
          isEvent ? c.eventTopic : c.telemetryTopic,
          JSON.stringify(payload),
          { qos: 1 },
          (err) => {
            c.inflight--;
            if (err) report.failed++;
            else report.acked++;
          },
        );
        report.published++;
        if (isEvent) report.publishedEvents++;
        if (report.firstPublishAt === 0) report.firstPublishAt = ts;
        report.lastPublishAt = ts;
        const second = Math.floor(elapsed);
        report.perSecond[second] = (report.perSecond[second] ?? 0) + 1;
        due--;
      }
      if (blocked >= conns.length) report.saturatedTicks++;
      if (now - lastProgress >= 1000) {
        lastProgress = now;
        send({
          type: 'progress',
          published: report.published,
          acked: report.acked,
          inflight: conns.reduce((a, x) => a + x.inflight, 0),
        });
      }
    };
    const timer = setInterval(tick, 5);
  });
}

async function waitForAcks(conns: Conn[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (conns.some((c) => c.inflight > 0) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}

async function closeAll(conns: Conn[]): Promise<void> {
  // Clear the retained status so the bench leaves nothing behind on the broker.
  await Promise.all(
    conns.map(async (c) => {
      await c.client.publishAsync(c.statusTopic, '', { qos: 1, retain: true }).catch(() => {});
      await c.client.endAsync().catch(() => {});
    }),
  );
}

async function main() {
  const cfg = JSON.parse(process.env.GW_LOAD_CONFIG ?? '{}') as LoadGenConfig;
  const t0 = performance.now();
  const conns = await connectAll(cfg);
  send({ type: 'connected', devices: conns.length, ms: Math.round(performance.now() - t0) });
  const stopSignal = { stop: false };
  let busy = false;
  process.on('message', async (m: { cmd: string }) => {
    // Several runs on the same connections (e.g. ingest, then the bare subscriber); `seq` goes on counting.
    if (m.cmd === 'start' && !busy) {
      busy = true;
      stopSignal.stop = false;
      const report = await run(cfg, conns, stopSignal);
      await waitForAcks(conns, 60_000);
      busy = false;
      send({ type: 'done', report });
    } else if (m.cmd === 'stop') {
      stopSignal.stop = true;
    } else if (m.cmd === 'close') {
      stopSignal.stop = true;
      await closeAll(conns);
      send({ type: 'closed' });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100);
    }
  });
  process.on('disconnect', () => {
    // The parent went away: end the connections rather than linger.
    closeAll(conns).finally(() => process.exit(0));
  });
}

main().catch((err) => {
  send({ type: 'error', message: (err as Error).message });
  setTimeout(() => process.exit(1), 100);
});
