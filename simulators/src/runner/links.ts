import { type DeviceStatus, deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import type { SimDevice } from '../fleet/types.ts';

export type Channel = 'telemetry' | 'event' | 'status';

/** How one device reaches the broker: its own connection, or a shared gateway connection. */
export interface Link {
  readonly connected: boolean;
  publish(channel: Channel, payload: object, retain: boolean, done: (err?: Error) => void): void;
  /** Drops the connection without DISCONNECT: the broker publishes the last will. */
  drop(): void;
  close(): Promise<void>;
}

const FIRMWARE = 'sim-1.4.2';

export function onlineStatus(now: number): DeviceStatus {
  return { state: 'online', ts: Math.round(now), firmware: FIRMWARE };
}

/**
 * A device's own MQTT connection: username = device id, password derived from the fleet
 * secret, retained `online` status on every (re)connect, retained last will `offline`.
 */
export function deviceLink(
  device: SimDevice,
  opts: { mqttUrl: string; fleetSecret: string; now: () => number; onError: (err: Error) => void },
): Link {
  const topic = (channel: Channel) => deviceTopic(device.kind, device.id, channel);
  const client: MqttClient = mqtt.connect(opts.mqttUrl, {
    clientId: `sim-${device.id}`,
    username: device.id,
    password: devicePassword(opts.fleetSecret, device.id),
    clean: true,
    keepalive: 60,
    connectTimeout: 20_000,
    // Spread reconnections: a broker restart must not see 4,000 devices at the same instant.
    reconnectPeriod: 4000 + Math.floor(Math.random() * 4000),
    queueQoSZero: false,
    will: {
      topic: topic('status'),
      payload: Buffer.from(JSON.stringify({ state: 'offline', reason: 'last-will' } satisfies DeviceStatus)),
      qos: 1,
      retain: true,
    },
  });
  client.on('connect', () => {
    client.publish(
      topic('status'),
      JSON.stringify(onlineStatus(opts.now())),
      { qos: 1, retain: true },
      () => {},
    );
  });
  client.on('error', opts.onError);
  return {
    get connected() {
      return client.connected;
    },
    publish(channel, payload, retain, done) {
      client.publish(topic(channel), JSON.stringify(payload), { qos: 1, retain }, (err) =>
        done(err ?? undefined),
      );
    },
    drop() {
      client.end(true);
    },
    close: () =>
      new Promise<void>((resolve) => {
        // A clean DISCONNECT, so no last will: stopping the simulator is not thousands of
        // devices failing at once (the server's silence rule still notices if it keeps running).
        const timer = setTimeout(() => client.end(true, {}, () => resolve()), 3000);
        client.end(!client.connected, {}, () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/** Shared connections for the gateway mode (few sockets for many devices). */
export function gatewayClients(opts: {
  mqttUrl: string;
  username: string;
  password: string;
  connections: number;
  onError: (err: Error) => void;
}): MqttClient[] {
  return Array.from({ length: Math.max(1, opts.connections) }, (_, i) => {
    const client = mqtt.connect(opts.mqttUrl, {
      clientId: `sim-gateway-${process.pid}-${i}`,
      username: opts.username,
      password: opts.password,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 3000,
    });
    client.on('error', opts.onError);
    return client;
  });
}

/**
 * A device behind a gateway connection. It has no last will of its own (MQTT allows one per
 * connection): a device that goes quiet is found by the server's silence rule.
 */
export function gatewayLink(device: SimDevice, client: MqttClient, now: () => number): Link {
  const topic = (channel: Channel) => deviceTopic(device.kind, device.id, channel);
  let dropped = false;
  let announced = false;
  const announce = () => {
    announced = true;
    client.publish(topic('status'), JSON.stringify(onlineStatus(now())), { qos: 1, retain: true }, () => {});
  };
  return {
    get connected() {
      if (client.connected && !dropped && !announced) announce();
      return client.connected && !dropped;
    },
    publish(channel, payload, retain, done) {
      client.publish(topic(channel), JSON.stringify(payload), { qos: 1, retain }, (err) =>
        done(err ?? undefined),
      );
    },
    drop() {
      dropped = true;
      // Back after the outage: announce again.
      announced = false;
    },
    async close() {},
  };
}
