import type { DeviceKind } from '@gridwatch/devices';
import { deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import type pg from 'pg';
import { SERVER_MQTT_USERNAME, serverMqttPassword } from '../../server/src/infra/embedded/broker.ts';
import { type BackendName, realServices, TEST_FLEET_SECRET } from '../support/backends.ts';
import { api, login } from '../support/clients.ts';

/** Builders for payloads that pass the catalogue's schemas. */
export const aCameraReading = (seq: number, over: Record<string, unknown> = {}) => ({
  ts: Date.now(),
  seq,
  fps: 25,
  bitrateKbps: 4096,
  storageUsedPct: 40,
  temperatureC: 35,
  peopleCount: seq % 50,
  ...over,
});
export const aCameraEvent = (seq: number, over: Record<string, unknown> = {}) => ({
  ts: Date.now(),
  seq,
  type: 'tamper',
  ...over,
});

export interface TestDevice {
  id: string;
  kind: DeviceKind;
}

/**
 * Registers devices the way an operator does: `POST /api/devices/import` (CSV). The server
 * stores them, tells ingest ('devices-changed') and gives them broker accounts where the
 * broker needs them.
 */
export async function importDevices(baseUrl: string, devices: TestDevice[]): Promise<void> {
  const token = await login(baseUrl);
  const csv = [
    'id,kind,name,lon,lat,site',
    ...devices.map((d) => `${d.id},${d.kind},${d.id},108.94,34.26,`),
  ].join('\n');
  const res = await api(baseUrl, token).post<{ imported: number; errors: unknown[] }>(
    '/api/devices/import',
    csv,
    'text/csv',
  );
  if (res.status !== 200 || res.body.imported !== devices.length) {
    throw new Error(`device import failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** A device's own connection that reconnects by itself and resends unacknowledged QoS 1 messages. */
export async function devicePublisher(mqttUrl: string, device: TestDevice): Promise<MqttClient> {
  return mqtt.connectAsync(mqttUrl, {
    clientId: `${device.id}-${Math.random().toString(16).slice(2, 8)}`,
    username: device.id,
    password: devicePassword(TEST_FLEET_SECRET, device.id),
    clean: true,
    reconnectPeriod: 250,
    connectTimeout: 5000,
  });
}

/** The server's account (it may publish anywhere under gw/): used to send what no device could. */
export async function serverAccountPublisher(
  backend: BackendName,
  mqttUrl: string,
  opts: { reconnect?: boolean } = {},
): Promise<MqttClient> {
  const real = realServices();
  const creds =
    backend === 'real'
      ? { username: real?.mqttServerUsername, password: real?.mqttServerPassword }
      : { username: SERVER_MQTT_USERNAME, password: serverMqttPassword(TEST_FLEET_SECRET) };
  return mqtt.connectAsync(mqttUrl, {
    clientId: `gw-test-pub-${Math.random().toString(16).slice(2, 10)}`,
    ...creds,
    clean: true,
    reconnectPeriod: opts.reconnect ? 250 : 0,
    connectTimeout: 5000,
  });
}

/** Publishes QoS 1 and resolves once the broker acknowledged every message. */
export function publishAll(
  client: MqttClient,
  messages: Array<[topic: string, payload: unknown]>,
): Promise<void> {
  return Promise.all(
    messages.map(
      ([topic, payload]) =>
        new Promise<void>((resolve, reject) =>
          client.publish(
            topic,
            typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
            { qos: 1 },
            (err) => (err ? reject(err) : resolve()),
          ),
        ),
    ),
  ).then(() => {});
}

export const telemetryTopic = (d: TestDevice) => deviceTopic(d.kind, d.id, 'telemetry');

/** Rows of one device, and how many distinct readings among them. */
export async function telemetryCount(pool: pg.Pool, deviceId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1',
    [deviceId],
  );
  return rows[0]!.n;
}

/** Value of one sample of a Prometheus counter in the app's registry (0 when absent). */
export async function metricValue(
  registry: { getSingleMetric(name: string): unknown },
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name) as
    | { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number> }> }> }
    | undefined;
  if (!metric) return 0;
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return hit?.value ?? 0;
}

export interface Stream {
  /** Messages the broker acknowledged so far. */
  acked(): number;
  /** The seqs acknowledged so far (a copy). */
  ackedSeqs(): Set<number>;
  /** Resolves when every message was acknowledged by the broker. */
  done: Promise<void>;
  /** Stops publishing (cleanup). */
  stop(): void;
}

/**
 * A device publishing `total` readings (seq 0..total-1) at about `perSecond`, QoS 1. mqtt.js
 * keeps unacknowledged messages and resends them after it reconnects, as a device should.
 */
export function streamReadings(
  client: MqttClient,
  device: TestDevice,
  total: number,
  perSecond: number,
): Stream {
  let acked = 0;
  const ackedSeqs = new Set<number>();
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  const done = new Promise<void>((resolve, reject) => {
    timer = setInterval(() => {
      for (let i = 0; i < perTick && seq < total; i++, seq++) {
        const sent = seq;
        client.publish(telemetryTopic(device), JSON.stringify(aCameraReading(sent)), { qos: 1 }, (err) => {
          if (err) {
            clearInterval(timer);
            reject(err);
            return;
          }
          acked += 1;
          ackedSeqs.add(sent);
          if (acked === total) resolve();
        });
      }
      if (seq >= total) clearInterval(timer);
    }, tickMs);
  });
  // A test that fails half-way never awaits `done`: no unhandled rejection then.
  done.catch(() => {});
  return { acked: () => acked, ackedSeqs: () => new Set(ackedSeqs), done, stop: () => clearInterval(timer) };
}

/** Missing and duplicated seqs of one device's readings 0..total-1. */
export async function readingGaps(pool: pg.Pool, deviceId: string, total: number) {
  const { rows } = await pool.query<{ seq: number; n: number }>(
    'SELECT seq, count(*)::int AS n FROM telemetry WHERE device_id = $1 GROUP BY seq',
    [deviceId],
  );
  const seen = new Map(rows.map((r) => [Number(r.seq), r.n]));
  const missing: number[] = [];
  for (let s = 0; s < total; s++) if (!seen.has(s)) missing.push(s);
  return { missing, duplicated: rows.filter((r) => r.n > 1).length, rows: rows.reduce((a, r) => a + r.n, 0) };
}
