import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EmbeddedBroker,
  SERVER_MQTT_USERNAME,
  serverMqttPassword,
  startEmbeddedBroker,
} from '../../server/src/infra/embedded/broker.ts';
import type { AckHandle } from '../../server/src/infra/puback-ledger.ts';
import { MqttSource } from '../../server/src/ingest/mqtt-source.ts';
import {
  availableBackends,
  endMqttSession,
  realServices,
  TEST_FLEET_SECRET,
  uniqueId,
} from '../support/backends.ts';
import { waitFor } from '../support/clients.ts';
import { aCameraReading, publishAll, serverAccountPublisher } from './ingest-fixtures.ts';

/**
 * The PUBACK contract at the protocol level, against the real broker code: a message is
 * acknowledged only when ingest says it is stored; until then the broker keeps it and
 * redelivers it on the next connection; and holding PUBACKs does not stop reading.
 */
describe.each(availableBackends())('PUBACK after commit on %s', (backend) => {
  let broker: EmbeddedBroker | undefined;
  let url: string;
  let creds: { username?: string; password?: string };
  const publishers: MqttClient[] = [];

  beforeAll(async () => {
    if (backend === 'real') {
      const real = realServices()!;
      url = real.mqttUrl;
      creds = { username: real.mqttServerUsername, password: real.mqttServerPassword };
    } else {
      broker = await startEmbeddedBroker({
        port: 0,
        fleetSecret: TEST_FLEET_SECRET,
        log: pino({ level: 'silent' }),
      });
      url = broker.url;
      creds = { username: SERVER_MQTT_USERNAME, password: serverMqttPassword(TEST_FLEET_SECRET) };
    }
  });
  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.endAsync(true).catch(() => {})));
    await broker?.close();
  });

  it('holds PUBACKs without blocking reads, and the broker redelivers what was never acknowledged', async () => {
    const deviceId = uniqueId('cam');
    const clientId = uniqueId('gw-ack');
    const received: Array<{ seq: number; ack: AckHandle | null }> = [];
    let settleOnArrival = false;
    let connected = false;
    const source: MqttSource = new MqttSource({
      url,
      ...{ username: creds.username, password: creds.password },
      clientId,
      topicFilter: `gw/camera/${deviceId}/+`,
      log: pino({ level: 'silent' }),
      accept: (_topic, payload, ack) => {
        received.push({ seq: JSON.parse(payload.toString()).seq, ack });
        if (settleOnArrival && ack) source.settle(ack);
      },
      isFull: () => false,
      onConnected: (up) => {
        connected = up;
      },
      onPaused: () => {},
    });
    const dropConnection = () => (source as unknown as { client: MqttClient }).client.stream.destroy();
    try {
      source.start();
      await waitFor(() => connected, 10_000, 'ingest connected');
      await new Promise((r) => setTimeout(r, 300)); // let the SUBACK land
      const pub = await serverAccountPublisher(backend, url);
      publishers.push(pub);
      const topic = `gw/camera/${deviceId}/telemetry`;
      const n = 50;
      await publishAll(
        pub,
        Array.from({ length: n }, (_, seq) => [topic, aCameraReading(seq)]),
      );
      // Every message is read although none is acknowledged (the commit "failed").
      await waitFor(() => received.length === n, 10_000, `${n} messages read with PUBACKs held`);
      expect(source.heldAcks).toBe(n);

      // The connection drops before any commit: the broker sends them all again.
      dropConnection();
      await waitFor(() => received.length === 2 * n, 20_000, 'redelivery of the unacknowledged messages');
      expect(
        received
          .slice(n)
          .map((r) => r.seq)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: n }, (_, i) => i));

      // This time they are stored: acknowledge, then drop the connection again. A marker sent
      // afterwards arrives with nothing before it: the broker kept no unacknowledged message.
      for (const r of received.slice(n)) source.settle(r.ack!);
      expect(source.heldAcks).toBe(0);
      await new Promise((r) => setTimeout(r, 200)); // PUBACKs on the wire
      settleOnArrival = true;
      const before = received.length;
      dropConnection();
      await waitFor(() => connected === false, 5000, 'disconnect');
      await waitFor(() => connected, 10_000, 'reconnected');
      await publishAll(pub, [[topic, aCameraReading(9999)]]);
      await waitFor(() => received.some((r) => r.seq === 9999), 10_000, 'marker');
      expect(received.slice(before).map((r) => r.seq)).toEqual([9999]);
    } finally {
      source.stopReading();
      await source.end();
      await endMqttSession(url, clientId, creds.username, creds.password);
    }
  });
});
