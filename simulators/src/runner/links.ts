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

/**
 * Simulated devices speak MQTT 5, so a publish the broker refuses comes back with a reason
 * code (Mosquitto: PUBACK 135, not authorised) instead of a normal acknowledgement, and fall
 * back to 3.1.1 on a broker that does not speak 5 (the embedded Aedes refuses the CONNECT
 * with "unacceptable protocol version").
 */
export const PREFERRED_MQTT_VERSION = 5;

/** CONNACK codes meaning "not this protocol version": 1 under 3.1.1, 0x84 under 5. */
export function isProtocolVersionRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 1 || code === 0x84;
}

/** The MQTT 5 reason code of a publish the broker refused (≥ 0x80), or null. */
export function publishRefusalCode(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 0x80 && code <= 0xff ? code : null;
}

/**
 * Starts a connection at MQTT 5 and drops to 3.1.1 once, for good, when the broker refuses
 * the version; `onFallback` is told so the runner can say which version it speaks.
 */
function connectPreferring5(
  url: string,
  options: mqtt.IClientOptions,
  onError: (err: Error) => void,
  onFallback?: () => void,
): MqttClient {
  const client = mqtt.connect(url, { ...options, protocolVersion: PREFERRED_MQTT_VERSION });
  let fellBack = false;
  client.on('error', (err) => {
    if (client.options.protocolVersion === PREFERRED_MQTT_VERSION && isProtocolVersionRefusal(err)) {
      client.options.protocolVersion = 4;
      fellBack = true;
      onFallback?.();
      return;
    }
    onError(err);
  });
  // mqtt.js does not reconnect after a refused CONNECT: once, after falling back, it must.
  client.on('close', () => {
    if (!fellBack) return;
    fellBack = false;
    client.reconnect();
  });
  return client;
}

export function onlineStatus(now: number): DeviceStatus {
  return { state: 'online', ts: Math.round(now), firmware: FIRMWARE };
}

/**
 * A device's own MQTT connection: username = device id, password derived from the fleet
 * secret, retained `online` status on every (re)connect, retained last will `offline`.
 */
export function deviceLink(
  device: SimDevice,
  opts: {
    mqttUrl: string;
    fleetSecret: string;
    now: () => number;
    onError: (err: Error) => void;
    onFallback?: () => void;
  },
): Link {
  const topic = (channel: Channel) => deviceTopic(device.kind, device.id, channel);
  const client: MqttClient = connectPreferring5(
    opts.mqttUrl,
    {
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
        payload: Buffer.from(
          JSON.stringify({ state: 'offline', reason: 'last-will' } satisfies DeviceStatus),
        ),
        qos: 1,
        retain: true,
      },
    },
    opts.onError,
    opts.onFallback,
  );
  client.on('connect', () => {
    client.publish(
      topic('status'),
      JSON.stringify(onlineStatus(opts.now())),
      { qos: 1, retain: true },
      () => {},
    );
  });
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
  onFallback?: () => void;
}): MqttClient[] {
  return Array.from({ length: Math.max(1, opts.connections) }, (_, i) => {
    return connectPreferring5(
      opts.mqttUrl,
      {
        clientId: `sim-gateway-${process.pid}-${i}`,
        username: opts.username,
        password: opts.password,
        clean: true,
        keepalive: 60,
        reconnectPeriod: 3000,
      },
      opts.onError,
      opts.onFallback,
    );
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
