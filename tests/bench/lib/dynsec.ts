import mqtt, { type MqttClient } from 'mqtt';

const CONTROL = '$CONTROL/dynamic-security/v1';

type Command = Record<string, unknown> & { command: string };
interface Response {
  command: string;
  error?: string;
  data?: unknown;
}

/**
 * Mosquitto dynamic-security admin, for the bench's own clean-up (and provisioning where the
 * server's identity domain is not there yet). Commands go in batches; responses come back
 * in order on the response topic.
 */
export class Dynsec {
  private client: MqttClient | undefined;
  private waiters: Array<(r: Response[]) => void> = [];

  constructor(
    private readonly url: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  async start(): Promise<void> {
    this.client = await mqtt.connectAsync(this.url, {
      clientId: `gw-bench-admin-${Math.random().toString(16).slice(2, 8)}`,
      username: this.username,
      password: this.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    this.client.on('message', (_topic, payload) => {
      const waiter = this.waiters.shift();
      try {
        waiter?.((JSON.parse(payload.toString()) as { responses: Response[] }).responses);
      } catch {
        waiter?.([]);
      }
    });
    await this.client.subscribeAsync(`${CONTROL}/response`, { qos: 1 });
  }

  /** Runs commands in chunks; returns every response. */
  async run(commands: Command[], chunk = 100): Promise<Response[]> {
    const client = this.client;
    if (!client) throw new Error('dynsec admin not started');
    const out: Response[] = [];
    for (let i = 0; i < commands.length; i += chunk) {
      const part = commands.slice(i, i + chunk);
      const reply = new Promise<Response[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('dynsec: no response in 15 s')), 15_000);
        this.waiters.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
      await client.publishAsync(CONTROL, JSON.stringify({ commands: part }), { qos: 1 });
      out.push(...(await reply));
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync().catch(() => {});
  }
}

/** The role the bench gives devices it provisions itself: publish under `gw/`, nothing else. */
export function benchRoleCommands(rolename: string): Command[] {
  return [
    {
      command: 'createRole',
      rolename,
      acls: [{ acltype: 'publishClientSend', topic: 'gw/#', priority: 0, allow: true }],
    },
  ];
}
