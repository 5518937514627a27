import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  DYNSEC_RESPONSE_TOPIC,
  DYNSEC_TOPIC,
  type DynsecCommand,
  type DynsecResponse,
} from './dynsec-commands.ts';

export interface DynsecClient {
  /** Sends one message of commands and resolves with the responses to those commands. */
  send(commands: DynsecCommand[]): Promise<DynsecResponse[]>;
  close(): Promise<void>;
}

/**
 * A short-lived admin connection to Mosquitto's dynamic-security control topic. Every admin
 * connection receives every response, so responses are matched by `correlationData`: each
 * command sent here carries a unique one.
 */
export async function connectDynsec(opts: {
  url: string;
  username: string;
  password: string;
  /** Longest wait for the responses to one message. @default 120000 */
  timeoutMs?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
}): Promise<DynsecClient> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const client: MqttClient = await mqtt.connectAsync(opts.url, {
    clientId: `gw-identity-${randomBytes(6).toString('hex')}`,
    username: opts.username,
    password: opts.password,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
  });
  const waiting = new Map<string, (r: DynsecResponse) => void>();
  client.on('message', (topic, payload) => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    let body: { responses?: DynsecResponse[] };
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    for (const response of body.responses ?? []) {
      const key = response.correlationData;
      const resolve = key ? waiting.get(key) : undefined;
      if (resolve) {
        waiting.delete(key!);
        resolve(response);
      }
    }
  });
  try {
    const granted = await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
    if (granted.some((g) => g.qos === 128))
      throw new Error('the admin account may not read dynamic-security responses');
  } catch (err) {
    await client.endAsync(true).catch(() => {});
    throw err;
  }
  let seq = 0;
  const prefix = randomBytes(4).toString('hex');

  return {
    async send(commands) {
      const keyed = commands.map((c) => ({
        ...c,
        correlationData: `${prefix}.${++seq}|${c.correlationData ?? ''}`,
      }));
      const answers = keyed.map(
        (c) => new Promise<DynsecResponse>((resolve) => waiting.set(c.correlationData, resolve)),
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`no dynamic-security response within ${timeoutMs} ms (is the plugin loaded?)`)),
          timeoutMs,
        );
      });
      try {
        await client.publishAsync(DYNSEC_TOPIC, JSON.stringify({ commands: keyed }), { qos: 1 });
        const responses = await Promise.race([Promise.all(answers), timeout]);
        // Hand back the caller's own correlation data.
        return responses.map((r) => ({
          ...r,
          correlationData: r.correlationData?.split('|').slice(1).join('|'),
        }));
      } finally {
        clearTimeout(timer);
        for (const c of keyed) waiting.delete(c.correlationData);
      }
    },
    async close() {
      // Forced: every command has been answered (or given up on) by now.
      await client.endAsync(true).catch(() => {});
    },
  };
}
