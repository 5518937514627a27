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
  close(): Promise<void>;
}

function sameSecret(given: Buffer | undefined, expected: string): boolean {
  if (!given) return false;
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 4 as const }) as AuthenticateError;
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
      done(null, true);
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
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
