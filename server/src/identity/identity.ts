import { randomBytes } from 'node:crypto';
import { devicePassword } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import { connectDynsec, type DynsecClient } from './dynsec-client.ts';
import {
  type DeviceIdentity,
  deviceCommands,
  packCommands,
  readOutcome,
  refusalReason,
  serverAccountCommands,
} from './dynsec-commands.ts';

export interface ProvisionResult {
  /** Devices among those given that can now log in to the broker. */
  provisioned: number;
  /** Broker accounts created by this call (0 where nothing needs creating). */
  created: number;
  /** Devices refused, with the reason (bad id, reserved name, broker error). */
  refused: Array<{ id: string; reason: string }>;
}

export interface Identity {
  /**
   * Creates the server's own broker account (MQTT_USERNAME / MQTT_PASSWORD) when it is
   * missing, so a fresh broker needs only its admin account. No-op without dynamic security.
   */
  ensureServerAccount(account: { username?: string; password?: string }): Promise<void>;
  /** Gives each device a broker account allowed to publish on its own topics only. */
  provision(devices: DeviceIdentity[]): Promise<ProvisionResult>;
  /** The MQTT login of a device: its id, and the password derived from the fleet secret. */
  credentials(id: string): { username: string; password: string };
}

export interface IdentityDeps {
  fleetSecret: string;
  log: FastifyBaseLogger;
  /** Mosquitto with dynamic security; null where the broker checks derived passwords itself. */
  dynsec: null | { url: string; username: string; password: string };
  /** @default 96 KiB: well under the broker's 256 KiB max_packet_size. */
  maxMessageBytes?: number;
  /**
   * Mosquitto 2.0 rewrites its whole dynamic-security file after every command and serves no
   * one else meanwhile: small messages keep each stall short.
   * @default 100
   */
  maxCommandsPerMessage?: number;
  /** Provide a connection (tests); a real one is opened per call otherwise. */
  connect?: (opts: {
    url: string;
    username: string;
    password: string;
    timeoutMs?: number;
    connectTimeoutMs?: number;
  }) => Promise<DynsecClient>;
}

const PROGRESS_EVERY = 500;

export function createIdentity(deps: IdentityDeps): Identity {
  const { fleetSecret, log } = deps;
  const connect = deps.connect ?? connectDynsec;
  /** Usernames known to exist on the broker: repeated imports skip them without a round trip. */
  const known = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();

  const credentials = (id: string) => ({ username: id, password: devicePassword(fleetSecret, id) });

  async function provisionOnBroker(
    dynsec: NonNullable<IdentityDeps['dynsec']>,
    devices: DeviceIdentity[],
    refused: ProvisionResult['refused'],
  ): Promise<ProvisionResult> {
    const wanted = new Map<string, DeviceIdentity>();
    for (const d of devices) if (!known.has(d.id)) wanted.set(d.id, d);
    const alreadyKnown = devices.length - wanted.size;
    if (wanted.size === 0) return { provisioned: alreadyKnown, created: 0, refused };

    const client = await connect(dynsec);
    try {
      if (known.size === 0) {
        const [list] = await client.send([{ command: 'listClients', verbose: false, count: -1 }]);
        if (list?.error) throw new Error(`listClients: ${list.error}`);
        for (const name of (list?.data as { clients?: string[] } | undefined)?.clients ?? []) known.add(name);
      }
      let ready = alreadyKnown;
      for (const id of wanted.keys()) {
        if (known.has(id)) {
          wanted.delete(id);
          ready++;
        }
      }
      const tag = randomBytes(3).toString('hex');
      const messages = packCommands(
        [...wanted.values()].map((d) => deviceCommands(d, credentials(d.id).password, tag)),
        { maxBytes: deps.maxMessageBytes ?? 96 * 1024, maxCommands: deps.maxCommandsPerMessage ?? 100 },
      );
      const large = wanted.size >= PROGRESS_EVERY;
      if (large)
        log.info({ devices: wanted.size, messages: messages.length }, 'provisioning broker accounts');
      let created = 0;
      let done = 0;
      for (const message of messages) {
        const outcome = readOutcome(tag, await client.send(message));
        for (const id of outcome.ready) known.add(id);
        for (const f of outcome.failed) refused.push({ id: f.id, reason: f.error });
        ready += outcome.ready.length;
        created += outcome.created.length;
        const before = done;
        done += message.length / 2;
        if (large && Math.floor(done / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) {
          log.info({ done, of: wanted.size }, 'provisioning broker accounts');
        }
      }
      if (refused.length > 0)
        log.warn({ refused: refused.slice(0, 20), count: refused.length }, 'devices refused');
      if (created > 0) log.info({ created, ready }, 'broker accounts provisioned');
      return { provisioned: ready, created, refused };
    } finally {
      await client.close();
    }
  }

  return {
    credentials,
    async ensureServerAccount(account) {
      const dynsec = deps.dynsec;
      if (!dynsec || !account.username || !account.password) return;
      // At boot, inside Fastify's plugin timeout: a busy broker must not stop the server.
      const client = await connect({ ...dynsec, timeoutMs: 4000, connectTimeoutMs: 4000 });
      try {
        const responses = await client.send(serverAccountCommands(account.username, account.password));
        const failed = responses.filter((r) => r.error && !/already exists/i.test(r.error));
        if (failed.length > 0) {
          throw new Error(
            `creating the server's broker account failed: ${failed.map((r) => r.error).join('; ')}`,
          );
        }
        const created = responses.some((r) => r.command === 'createClient' && !r.error);
        if (created) log.info({ username: account.username }, 'server broker account created');
      } finally {
        await client.close();
      }
    },
    provision(devices) {
      const refused: ProvisionResult['refused'] = [];
      const unique = new Map<string, DeviceIdentity>();
      for (const d of devices) {
        const reason = refusalReason(d);
        if (reason) refused.push({ id: String(d.id), reason });
        else unique.set(d.id, d);
      }
      const valid = [...unique.values()];
      const dynsec = deps.dynsec;
      if (!dynsec) return Promise.resolve({ provisioned: valid.length, created: 0, refused });
      // One import at a time: concurrent calls would race on the same accounts.
      const run = queue.then(() => provisionOnBroker(dynsec, valid, refused));
      queue = run.catch(() => {});
      return run;
    },
  };
}
