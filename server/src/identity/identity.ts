import { randomBytes } from 'node:crypto';
import { devicePassword } from '@gridwatch/devices/credentials';
import type { FastifyBaseLogger } from 'fastify';
import { reloadBroker, writeAccounts } from './accounts-file.ts';
import { type DeviceIdentity, refusalReason } from './device-accounts.ts';
import { connectDynsec, type DynsecClient } from './dynsec-client.ts';
import { deviceCommands, packCommands, readOutcome, serverAccountCommands } from './dynsec-commands.ts';
import { type LoginProbe, probeLogin } from './login-probe.ts';
import type { Account } from './password-file.ts';

export interface ProvisionResult {
  /** Devices the broker accepts a login from. */
  ready: string[];
  /**
   * Devices whose account the broker does not accept yet: a broker whose accounts are kept
   * by its operator (EMQX), until they are imported there.
   */
  pending: string[];
  /** Devices that cannot log in, with the reason (bad id, reserved name, broker not reloaded). */
  failed: Array<{ id: string; reason: string }>;
}

/**
 * Where device accounts live.
 * - `embedded`: the in-process broker checks derived passwords itself; nothing to write.
 * - `file`: Mosquitto's password file, written by the server and re-read by the broker on
 *   SIGHUP (sent to the pid in `pidFile`, or by a watcher beside the broker).
 * - `dynsec`: Mosquitto's dynamic-security plugin, an account and a role per device, for a
 *   broker set up before the password file. Mosquitto 2.0.11 rewrites the plugin's whole
 *   file after every command: O(fleet) per device, about 94 s for a 3,971-device district.
 * - `external`: the broker's operator keeps the accounts (EMQX's built-in database); the
 *   server can only check whether a login is accepted.
 */
export type AccountStore =
  | { kind: 'embedded' }
  | { kind: 'file'; url: string; file: string; pidFile?: string; readyTimeoutMs: number }
  | { kind: 'dynsec'; url: string; username: string; password: string }
  | { kind: 'external'; url: string };

export interface Identity {
  /**
   * Creates the server's own broker account (MQTT_USERNAME / MQTT_PASSWORD) in Mosquitto's
   * dynamic security when it is missing. No-op without an admin account.
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
  accounts: AccountStore;
  /** Mosquitto dynamic-security admin, for the server's own account; null elsewhere. */
  dynsec: null | { url: string; username: string; password: string };
  /** Replaceable in unit tests. */
  io?: {
    connect?: typeof connectDynsec;
    write?: typeof writeAccounts;
    reload?: typeof reloadBroker;
    probe?: LoginProbe;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  };
}

/** Between two login attempts while the broker reloads. */
const PROBE_EVERY_MS = 200;
/** SIGHUP again when the broker still refuses after this long (a signal can be coalesced). */
const RELOAD_AGAIN_MS = 2_000;

export function createIdentity(deps: IdentityDeps): Identity {
  const { fleetSecret, log, accounts } = deps;
  const connect = deps.io?.connect ?? connectDynsec;
  const write = deps.io?.write ?? writeAccounts;
  const reload = deps.io?.reload ?? reloadBroker;
  const probe = deps.io?.probe ?? probeLogin;
  const sleep = deps.io?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.io?.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();
  /** dynsec store: usernames known to exist on the broker, skipped without a round trip. */
  const known = new Set<string>();

  const credentials = (id: string): Account => ({ username: id, password: devicePassword(fleetSecret, id) });

  /** Polls a login until the broker accepts it, reloading it now and then; false on timeout. */
  async function waitForLogin(
    store: Extract<AccountStore, { kind: 'file' }>,
    account: Account,
  ): Promise<boolean> {
    const deadline = now() + store.readyTimeoutMs;
    let reloadedAt = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (now() - reloadedAt >= RELOAD_AGAIN_MS) {
        await reload(store.pidFile).catch((err) => log.warn({ err }, 'could not signal the broker'));
        reloadedAt = now();
      }
      if (await probe(store.url, account.username, account.password)) return true;
      if (now() >= deadline) return false;
      await sleep(PROBE_EVERY_MS);
    }
  }

  async function toFile(
    store: Extract<AccountStore, { kind: 'file' }>,
    devices: DeviceIdentity[],
    result: ProvisionResult,
  ): Promise<void> {
    const started = now();
    let changed: string[];
    try {
      ({ changed } = await write(
        store.file,
        devices.map((d) => credentials(d.id)),
      ));
    } catch (err) {
      log.error({ err, file: store.file }, 'could not write the device password file');
      const reason = `device password file not writable: ${(err as Error).message}`;
      for (const d of devices) result.failed.push({ id: d.id, reason });
      return;
    }
    // The broker reads the whole file at once and writers only ever add lines: once it
    // accepts the last line written here, it holds every line of this call.
    const witness = credentials(changed.at(-1) ?? devices.at(-1)!.id);
    if (await waitForLogin(store, witness)) {
      for (const d of devices) result.ready.push(d.id);
      if (changed.length > 0)
        log.info(
          { written: changed.length, ready: devices.length, ms: now() - started },
          'device accounts ready',
        );
      return;
    }
    const reason = `the broker did not accept the new accounts within ${store.readyTimeoutMs / 1000} s (is it reloaded after ${store.file} changes?)`;
    log.error({ file: store.file, pidFile: store.pidFile }, reason);
    for (const d of devices) result.failed.push({ id: d.id, reason });
  }

  async function toDynsec(
    store: Extract<AccountStore, { kind: 'dynsec' }>,
    devices: DeviceIdentity[],
    result: ProvisionResult,
  ): Promise<void> {
    const wanted = devices.filter((d) => !known.has(d.id));
    for (const d of devices) if (known.has(d.id)) result.ready.push(d.id);
    if (wanted.length === 0) return;
    const client = await connect(store);
    try {
      if (known.size === 0) {
        const [list] = await client.send([{ command: 'listClients', verbose: false, count: -1 }]);
        if (list?.error) throw new Error(`listClients: ${list.error}`);
        for (const name of (list?.data as { clients?: string[] } | undefined)?.clients ?? []) known.add(name);
      }
      const tag = randomBytes(3).toString('hex');
      const messages = packCommands(
        wanted
          .filter((d) => {
            if (!known.has(d.id)) return true;
            result.ready.push(d.id);
            return false;
          })
          .map((d) => deviceCommands(d, credentials(d.id).password, tag)),
        // Small messages: the broker serves no one else while it works through one.
        { maxBytes: 96 * 1024, maxCommands: 100 },
      );
      for (const message of messages) {
        const outcome = readOutcome(tag, await client.send(message));
        for (const id of outcome.ready) {
          known.add(id);
          result.ready.push(id);
        }
        for (const f of outcome.failed) result.failed.push({ id: f.id, reason: f.error });
      }
    } finally {
      await client.close();
    }
  }

  async function provisionValid(devices: DeviceIdentity[], result: ProvisionResult): Promise<void> {
    if (devices.length === 0) return;
    if (accounts.kind === 'embedded') {
      for (const d of devices) result.ready.push(d.id);
    } else if (accounts.kind === 'file') {
      await toFile(accounts, devices, result);
    } else if (accounts.kind === 'dynsec') {
      await toDynsec(accounts, devices, result);
    } else {
      // Accounts kept by the broker's operator: one login says whether this batch is there.
      const witness = credentials(devices.at(-1)!.id);
      const accepted = await probe(accounts.url, witness.username, witness.password);
      for (const d of devices) (accepted ? result.ready : result.pending).push(d.id);
    }
  }

  return {
    credentials,
    async ensureServerAccount(account) {
      const dynsec = deps.dynsec;
      if (!dynsec || !account.username || !account.password) return;
      // At boot, inside Fastify's plugin timeout: a busy broker must not stop the server.
      const client: DynsecClient = await connect({ ...dynsec, timeoutMs: 4000, connectTimeoutMs: 4000 });
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
      const result: ProvisionResult = { ready: [], pending: [], failed: [] };
      const unique = new Map<string, DeviceIdentity>();
      for (const d of devices) {
        const reason = refusalReason(d);
        if (reason) result.failed.push({ id: String(d.id), reason });
        else unique.set(d.id, d);
      }
      // One call at a time per server: each waits for its own reload anyway.
      const run = queue.then(() => provisionValid([...unique.values()], result)).then(() => result);
      queue = run.catch(() => {});
      return run;
    },
  };
}
