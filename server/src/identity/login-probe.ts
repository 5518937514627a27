import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';

/**
 * Whether the broker accepts a login right now: a clean MQTT connection with the given
 * credentials, closed at once. Its client id is its own, so a connected device is not taken
 * over. Refused (bad username or password), unreachable and timed out all answer false.
 */
export type LoginProbe = (url: string, username: string, password: string) => Promise<boolean>;

export const probeLogin: LoginProbe = async (url, username, password) => {
  const client = await mqtt
    .connectAsync(url, {
      clientId: `gw-probe-${randomBytes(6).toString('hex')}`,
      username,
      password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    })
    .catch(() => null);
  if (!client) return false;
  await client.endAsync(true).catch(() => {});
  return true;
};
