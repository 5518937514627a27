import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { devicePassword, isValidDeviceId, parseTopic } from '@gridwatch/devices';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from 'pino';

/** The server's own account on the embedded broker. */
export const SERVER_MQTT_USERNAME = 'gridwatch-server';

export function serverMqttPassword(fleetSecret: string): string {
  return createHmac('sha256', fleetSecret).update('gridwatch-server').digest('base64url');
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /**
   * Stops taking device connections and closes those open, leaving the server's own. Aedes
   * acknowledges a QoS 1 publish on receipt and keeps it in memory only, so a graceful
   * shutdown does this first: devices keep what was not acknowledged and send it again
   * after the restart, and what was acknowledged still reaches ingest.
   */
  disconnectDevices(): Promise<void>;
  close(): Promise<void>;
}

function sameSecret(given: Buffer | undefined, expected: string): boolean {
  if (!given) return false;
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

function authError(message: string, returnCode: 3 | 4 = 4): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * Aedes in the process, for machines with no broker. Devices log in with their id and
 * derived password and may publish only on `gw/{kind}/{their id}/…`; they may not
 * subscribe. The server's account may do anything.
 */
export async function startEmbeddedBroker(opts: {
  port: number;
  fleetSecret: string;
  log: Logger;
}): Promise<EmbeddedBroker> {
  const { fleetSecret, log } = opts;
  const serverPassword = serverMqttPassword(fleetSecret);
  // Sessions live in this process's memory: until the server has subscribed, a device's
  // message would be acknowledged and then dropped for want of a subscriber. A device's
  // login waits until then (a refusal would stop mqtt.js clients from retrying).
  let serverSubscribed = false;
  const waitingDevices: Array<() => void> = [];
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      if (username === SERVER_MQTT_USERNAME) {
        return sameSecret(password, serverPassword)
          ? done(null, true)
          : done(authError('bad credentials'), false);
      }
      if (
        !username ||
        !isValidDeviceId(username) ||
        !sameSecret(password, devicePassword(fleetSecret, username))
      ) {
        log.debug({ clientId: client?.id }, 'device login refused');
        return done(authError('bad credentials'), false);
      }
      if (serverSubscribed) return done(null, true);
      const admit = () => {
        clearTimeout(timer);
        done(null, true);
      };
      const timer = setTimeout(() => {
        waitingDevices.splice(waitingDevices.indexOf(admit), 1);
        done(authError('server not ready', 3), false);
      }, 30_000);
      waitingDevices.push(admit);
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null);
      const username = (client as unknown as { gwUser?: string }).gwUser;
      if (username === SERVER_MQTT_USERNAME) return done(null);
      const parsed = parseTopic(packet.topic);
      if ('error' in parsed || parsed.deviceId !== username) {
        log.warn(
          { clientId: client.id, topic: packet.topic.slice(0, 200) },
          'publish outside own topics refused',
        );
        return done(new Error('not authorised'));
      }
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      const username = (client as unknown as { gwUser?: string }).gwUser;
      if (username === SERVER_MQTT_USERNAME) return done(null, subscription);
      done(new Error('devices may not subscribe'), null);
    },
  });
  broker.on('subscribe', (subscriptions, client) => {
    const username = (client as unknown as { gwUser?: string } | null)?.gwUser;
    if (username === SERVER_MQTT_USERNAME && subscriptions.some((s) => s.topic.includes('gw/'))) {
      serverSubscribed = true;
      for (const admit of waitingDevices.splice(0)) admit();
    }
  });
  // Remember who logged in on the client object: Aedes passes only the client to the
  // authorisation hooks.
  const authenticate = broker.authenticate;
  broker.authenticate = (client, username, password, done) =>
    authenticate(client, username, password, (err, ok) => {
      if (ok) (client as unknown as { gwUser?: string }).gwUser = username;
      done(err, ok);
    });

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async disconnectDevices() {
      server.close();
      const clients = (broker as unknown as { clients: Record<string, { close(cb: () => void): void }> })
        .clients;
      const devices = Object.values(clients).filter(
        (client) => (client as unknown as { gwUser?: string }).gwUser !== SERVER_MQTT_USERNAME,
      );
      await Promise.all(
        devices.map((client) => new Promise<void>((resolve) => client.close(() => resolve()))),
      );
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
