import { deviceTopic } from '@gridwatch/devices';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueId } from '../support/backends.ts';
import { waitFor } from '../support/clients.ts';
import {
  aCameraEvent,
  aCameraReading,
  devicePublisher,
  importDevices,
  metricValue,
  type TestDevice,
} from './ingest-fixtures.ts';

/**
 * On the embedded default the broker lives and dies with the server, so a device's PUBACK
 * must mean "committed". Here the database is held (a transaction open on PGlite, which
 * serves one at a time), so ingest cannot commit: the device must get no PUBACK until the
 * transaction ends, and then find its message stored. (On Mosquitto the broker keeps what
 * it acknowledged across a server crash; reliability.test.ts covers both.)
 */
describe('embedded broker: a device is acknowledged only once its message is stored', () => {
  let server: TestServer;
  let pub: MqttClient;
  const device: TestDevice = { id: uniqueId('cam'), kind: 'camera' };

  beforeAll(async () => {
    server = await startTestServer('embedded');
    await importDevices(server.url, [device]);
    pub = await devicePublisher(server.mqttUrl, device);
    // One reading through first: the device is known and the path is warm.
    await pub.publishAsync(deviceTopic('camera', device.id, 'telemetry'), JSON.stringify(aCameraReading(0)), {
      qos: 1,
    });
  });
  afterAll(async () => {
    await pub?.endAsync(true);
    await server?.close();
  });

  const pending = () => metricValue(server.gw.app.metrics, 'gridwatch_ingest_pending', {});

  /** Publishes while the database is held; returns what was acknowledged meanwhile, then after. */
  async function publishWhileHeld(topic: string, payload: string) {
    const blocker = await server.pool.connect();
    let acknowledged = false;
    let published: Promise<unknown>;
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1');
      published = pub.publishAsync(topic, payload, { qos: 1 }).then(() => {
        acknowledged = true;
      });
      // The message is in ingest, waiting for the database...
      await waitFor(async () => (await pending()) >= 1, 30_000, 'message pending in ingest');
      // ... and stays unacknowledged while the database is held.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }
    const whileHeld = acknowledged;
    await published;
    return { whileHeld, after: acknowledged };
  }

  it('a reading: no PUBACK while it cannot be committed; stored when the PUBACK comes', async () => {
    const result = await publishWhileHeld(
      deviceTopic('camera', device.id, 'telemetry'),
      JSON.stringify(aCameraReading(1)),
    );
    expect(result).toEqual({ whileHeld: false, after: true });
    const { rows } = await server.pool.query('SELECT seq FROM telemetry WHERE device_id = $1 ORDER BY seq', [
      device.id,
    ]);
    expect(rows.map((r) => Number(r.seq))).toEqual([0, 1]);
  });

  it('an event (its own ingest session) likewise', async () => {
    const result = await publishWhileHeld(
      deviceTopic('camera', device.id, 'event'),
      JSON.stringify(aCameraEvent(7, { type: 'tamper' })),
    );
    expect(result).toEqual({ whileHeld: false, after: true });
    const { rows } = await server.pool.query('SELECT type FROM events WHERE device_id = $1 AND seq = 7', [
      device.id,
    ]);
    expect(rows).toEqual([{ type: 'tamper' }]);
  });

  it('a message that can never be stored is acknowledged once its dead letter is stored', async () => {
    const topic = deviceTopic('camera', device.id, 'telemetry');
    const result = await publishWhileHeld(topic, '{"not json');
    expect(result).toEqual({ whileHeld: false, after: true });
    const { rows } = await server.pool.query(
      'SELECT reason FROM dead_letters WHERE topic = $1 AND payload LIKE $2',
      [topic, '{"not json%'],
    );
    expect(rows).toEqual([{ reason: 'bad-json' }]);
  });
});
