import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { isValidDeviceId, parseTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { HeldPubacks } from './held-pubacks.ts';

/** The server's own account on the embedded broker. */
export const SERVER_MQTT_USERNAME = 'gridwatch-server';

export function serverMqttPassword(fleetSecret: string): string {
  return createHmac('sha256', fleetSecret).update('gridwatch-server').digest('base64url');
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /**
   * Stops taking device connections and closes those open, leaving the server's own. A
   * graceful shutdown does this first: nothing new comes in while ingest commits what it
   * has; devices send again, after the restart, what they did not see acknowledged.
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
  // message would have no one to store it. A device's login waits until then (a refusal
  // would stop mqtt.js clients from retrying).
  const serverSessions = new Set<string>();
  const waitingDevices: Array<() => void> = [];
  const isServer = (client: unknown) =>
    (client as { gwUser?: string } | null)?.gwUser === SERVER_MQTT_USERNAME;
  // Only the server's persistent sessions (ingest's) store what they receive: a tool or a
  // test watching with the server's account on a clean session must not hold a device's
  // PUBACK (one that never acknowledged would hold it for ever).
  const isStoringSession = (client: unknown) =>
    isServer(client) && (client as { clean?: boolean } | null)?.clean === false;
  const held = new HeldPubacks({ isServerSession: isStoringSession, log });
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
      if (serverSessions.size > 0) return done(null, true);
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
      // Its PUBACK waits until the server's sessions acknowledged it, i.e. it is stored.
      held.hold(client, packet, done);
    },
    authorizeForward(client, packet) {
      held.forwarded(client, packet);
      return packet;
    },
    published(packet, client, done) {
      if (client) held.published(packet, client);
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      const username = (client as unknown as { gwUser?: string }).gwUser;
      if (username === SERVER_MQTT_USERNAME) return done(null, subscription);
      done(new Error('devices may not subscribe'), null);
    },
  });
  broker.on('ack', (packet, client) => held.acknowledged(client, packet));
  broker.on('subscribe', (subscriptions, client) => {
    if (isServer(client) && subscriptions.some((s) => s.topic.includes('gw/'))) {
      serverSessions.add(client.id);
      for (const admit of waitingDevices.splice(0)) admit();
    }
  });
  let closing = false;
  // A server session gone (in this process: only when the server stops) would leave the
  // devices' PUBACKs waiting for it: the devices reconnect and send those messages again.
  broker.on('clientDisconnect', (client) => {
    if (!serverSessions.delete(client.id) || closing) return;
    log.warn({ clientId: client.id }, 'server session disconnected; devices disconnected to resend');
    closeDevices();
  });
  const closeDevices = () => {
    const clients = (broker as unknown as { clients: Record<string, Client> }).clients;
    const devices = Object.values(clients).filter((client) => !isServer(client));
    return Promise.all(
      devices.map((client) => new Promise<void>((resolve) => client.close(() => resolve()))),
    );
  };
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
      closing = true;
      server.close();
      await closeDevices();
    },
    async close() {
      closing = true;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
