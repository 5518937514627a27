import { deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availableBackends,
  startTestServer,
  TEST_FLEET_SECRET,
  type TestServer,
  uniqueId,
} from '../support/backends.ts';
import { connectDevice, waitFor } from '../support/clients.ts';

/**
 * A device logs in with its own id and derived password and may publish on its own topics
 * only. Under MQTT 3.1.1 Mosquitto acknowledges a refused publish and drops it, so what
 * counts is what a subscriber with the server's account receives; under MQTT 5 the device
 * is told.
 */
describe.each(availableBackends())('device identity on %s', (backend) => {
  let server: TestServer;
  let watcher: MqttClient;
  const received: Array<{ topic: string; payload: string }> = [];
  const deviceA = uniqueId('chg');
  const deviceB = uniqueId('chg');

  beforeAll(async () => {
    server = await startTestServer(backend);
    const { mqtt: account } = server.gw.context;
    watcher = await mqtt.connectAsync(account.url, {
      clientId: uniqueId('gw-watch'),
      username: account.username,
      password: account.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    watcher.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await watcher.subscribeAsync([`gw/+/${deviceA}/#`, `gw/+/${deviceB}/#`], { qos: 1 });
  });

  afterAll(async () => {
    await watcher?.endAsync().catch(() => {});
    await server?.close();
  });

  it('provisions devices once, with the derived password', async () => {
    const devices = [
      { id: deviceA, kind: 'charger' as const },
      { id: deviceB, kind: 'charger' as const },
    ];
    const first = await server.gw.app.identity.provision(devices);
    expect(first).toEqual({ ready: [deviceA, deviceB], pending: [], failed: [] });
    const again = await server.gw.app.identity.provision(devices);
    expect(again).toEqual({ ready: [deviceA, deviceB], pending: [], failed: [] });
    expect(server.gw.app.identity.credentials(deviceA)).toEqual({
      username: deviceA,
      password: devicePassword(TEST_FLEET_SECRET, deviceA),
    });
  });

  it('refuses a wrong password', async () => {
    await expect(
      connectDevice(server.mqttUrl, 'charger', deviceA, { password: 'not-the-password', will: false }),
    ).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
    await expect(
      connectDevice(server.mqttUrl, 'charger', deviceA, {
        fleetSecret: 'another-fleet-secret-entirely',
        will: false,
      }),
    ).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
  });

  it.skipIf(backend === 'embedded')('refuses a device that was never provisioned', async () => {
    const stranger = uniqueId('chg');
    await expect(connectDevice(server.mqttUrl, 'charger', stranger, { will: false })).rejects.toThrow(
      /not authori[sz]ed|bad user ?name or password/i,
    );
  });

  // Aedes (embedded) speaks MQTT 3.1.1 only: it refuses an MQTT 5 CONNECT.
  it.skipIf(backend === 'embedded')(
    "an MQTT 5 device publishing on B's topic is told: PUBACK reason code 135 (0x87, not authorized)",
    async () => {
      const a = await mqtt.connectAsync(server.mqttUrl, {
        protocolVersion: 5,
        clientId: uniqueId(deviceA),
        username: deviceA,
        password: devicePassword(TEST_FLEET_SECRET, deviceA),
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      try {
        // Resolves on a PUBACK with a success code; a refusal rejects with the code.
        await a.publishAsync(deviceTopic('charger', deviceA, 'telemetry'), '{"v5":"own"}', { qos: 1 });
        const refused = await a
          .publishAsync(deviceTopic('charger', deviceB, 'telemetry'), '{"v5":"forged"}', { qos: 1 })
          .then(
            () => null,
            (err: { code?: number }) => err,
          );
        expect(refused?.code).toBe(0x87);
        // Refused, not disconnected: the device can go on with its own topics.
        expect(a.connected).toBe(true);
      } finally {
        await a.endAsync(true).catch(() => {});
      }
      expect(received.filter((m) => m.payload.includes('"v5":"forged"'))).toEqual([]);
    },
  );

  it("lets A publish on its own topics, not on B's, and read nothing", async () => {
    const a = await connectDevice(server.mqttUrl, 'charger', deviceA, { will: false });
    const nonce = uniqueId('n');
    let subscribeGranted = false;
    try {
      await a.publishAsync(deviceTopic('charger', deviceA, 'telemetry'), JSON.stringify({ own: nonce }), {
        qos: 1,
      });
      await waitFor(
        () => received.find((m) => m.payload.includes(nonce) && m.topic.includes(deviceA)),
        20_000,
        "A's own message at the server's subscriber",
      );
      // The forged publish: Mosquitto acknowledges and drops it, the embedded broker refuses
      // it and closes the connection; either way it must reach nobody.
      await Promise.race([
        a
          .publishAsync(deviceTopic('charger', deviceB, 'telemetry'), JSON.stringify({ forged: nonce }), {
            qos: 1,
          })
          .catch(() => {}),
        new Promise((r) => setTimeout(r, 2_000)),
      ]);
    } finally {
      await a.endAsync(true).catch(() => {});
    }

    // B's own message, sent after the forged one, arrives; the forged one never does.
    const b = await connectDevice(server.mqttUrl, 'charger', deviceB, { will: false });
    try {
      await b.publishAsync(deviceTopic('charger', deviceB, 'telemetry'), JSON.stringify({ marker: nonce }), {
        qos: 1,
      });
      await waitFor(
        () => received.find((m) => m.payload.includes(`"marker":"${nonce}"`)),
        20_000,
        "B's own message",
      );
      // Subscribing is refused (embedded broker, dynamic security) or granted by Mosquitto's
      // acl_file, which has no subscribe rules, and then delivers nothing: read is denied.
      const readByB: string[] = [];
      b.on('message', (topic) => readByB.push(topic));
      const granted = await b.subscribeAsync(`gw/+/${deviceA}/#`, { qos: 1 }).catch(() => [{ qos: 128 }]);
      subscribeGranted = granted.some((g) => g.qos !== 128);
      if (subscribeGranted) {
        const again = await connectDevice(server.mqttUrl, 'charger', deviceA, { will: false });
        try {
          await again.publishAsync(
            deviceTopic('charger', deviceA, 'telemetry'),
            JSON.stringify({ again: nonce }),
            { qos: 1 },
          );
        } finally {
          await again.endAsync(true).catch(() => {});
        }
        await waitFor(
          () => received.find((m) => m.payload.includes(`"again":"${nonce}"`)),
          20_000,
          "A's second message at the server's subscriber",
        );
        // The broker routed A's message before the watcher got it: a round trip of B's after
        // that brings anything routed to B before it (one socket, in order).
        await b.publishAsync(deviceTopic('charger', deviceB, 'telemetry'), '{"barrier":true}', { qos: 1 });
      }
      expect(readByB).toEqual([]);
    } finally {
      await b.endAsync(true).catch(() => {});
    }
    expect(received.filter((m) => m.payload.includes(`"forged":"${nonce}"`))).toEqual([]);
    expect(received.filter((m) => m.payload.includes(nonce)).map((m) => m.topic)).toEqual([
      deviceTopic('charger', deviceA, 'telemetry'),
      deviceTopic('charger', deviceB, 'telemetry'),
      ...(subscribeGranted ? [deviceTopic('charger', deviceA, 'telemetry')] : []),
    ]);
  });
});
