import { TOPIC_ROOT } from '@gridwatch/devices';
import type { DeviceIdentity } from './device-accounts.ts';

/**
 * Commands of Mosquitto's dynamic-security plugin (`$CONTROL/dynamic-security/v1`), built as
 * plain data so the batching and the per-device ACLs are tested without a broker. The plugin
 * holds the operator accounts (the server's own, the admin); device accounts only on a
 * broker set up before the password file (`dynsec` store in identity.ts): Mosquitto 2.0.11
 * rewrites the plugin's whole file after every command, once per command even when many
 * come in one message, so each account costs O(fleet).
 */
export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

export interface DynsecCommand {
  command: string;
  /** Echoed in the response: how a response is matched to its command. */
  correlationData?: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

/**
 * Each device gets its own role: Mosquitto 2.0.11's dynamic security has no `%u`
 * substitution in ACLs, so one shared role cannot say "your own topics only".
 */
export function deviceRoleName(id: string): string {
  return `gw-device-${id}`;
}

/**
 * The role (publish on `gw/<kind>/<id>/#` only; subscribing stays denied by the default ACL)
 * and the client (username = device id) for one device.
 */
export function deviceCommands(device: DeviceIdentity, password: string, tag: string): DynsecCommand[] {
  const rolename = deviceRoleName(device.id);
  return [
    {
      command: 'createRole',
      rolename,
      acls: [
        {
          acltype: 'publishClientSend',
          topic: `${TOPIC_ROOT}/${device.kind}/${device.id}/#`,
          priority: 0,
          allow: true,
        },
      ],
      correlationData: `${tag}:role:${device.id}`,
    },
    {
      command: 'createClient',
      username: device.id,
      password,
      textname: `gridwatch ${device.kind}`,
      roles: [{ rolename, priority: 0 }],
      correlationData: `${tag}:client:${device.id}`,
    },
  ];
}

/**
 * Packs commands into messages of at most `maxBytes` of JSON (the broker refuses packets
 * above its `max_packet_size`) and at most `maxCommands` each, never splitting a device's
 * role from its client.
 */
export function packCommands(
  groups: DynsecCommand[][],
  opts: { maxBytes: number; maxCommands: number },
): DynsecCommand[][] {
  const messages: DynsecCommand[][] = [];
  let current: DynsecCommand[] = [];
  let bytes = '{"commands":[]}'.length;
  for (const group of groups) {
    const groupBytes = group.reduce((n, c) => n + Buffer.byteLength(JSON.stringify(c)) + 1, 0);
    if (groupBytes + 15 > opts.maxBytes)
      throw new Error('one device’s commands exceed the message size limit');
    if (
      current.length > 0 &&
      (bytes + groupBytes > opts.maxBytes || current.length + group.length > opts.maxCommands)
    ) {
      messages.push(current);
      current = [];
      bytes = '{"commands":[]}'.length;
    }
    current.push(...group);
    bytes += groupBytes;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

export interface ProvisionOutcome {
  /** Devices whose client now exists (created now or before). */
  ready: string[];
  /** Devices created by these responses. */
  created: string[];
  /** Devices with an error other than "already exists", with the broker's message. */
  failed: Array<{ id: string; error: string }>;
}

const ALREADY_EXISTS = /already exists/i;

/** Reads the responses to `deviceCommands` batches back into per-device outcomes. */
export function readOutcome(tag: string, responses: DynsecResponse[]): ProvisionOutcome {
  const roleError = new Map<string, string>();
  const outcome: ProvisionOutcome = { ready: [], created: [], failed: [] };
  const prefix = `${tag}:`;
  for (const r of responses) {
    if (!r.correlationData?.startsWith(prefix)) continue;
    const rest = r.correlationData.slice(prefix.length);
    const sep = rest.indexOf(':');
    const what = rest.slice(0, sep);
    const id = rest.slice(sep + 1);
    const error = r.error && !ALREADY_EXISTS.test(r.error) ? r.error : undefined;
    if (what === 'role') {
      if (error) roleError.set(id, error);
      continue;
    }
    if (what !== 'client') continue;
    if (error) outcome.failed.push({ id, error });
    else if (roleError.has(id)) outcome.failed.push({ id, error: `role: ${roleError.get(id)}` });
    else {
      outcome.ready.push(id);
      if (!r.error) outcome.created.push(id);
    }
  }
  return outcome;
}

/** ACLs of the server's own account: every device topic (also shared), $SYS, publish on gw/#. */
export const SERVER_ACLS = [
  { acltype: 'subscribePattern', topic: `${TOPIC_ROOT}/#`, priority: 0, allow: true },
  { acltype: 'subscribePattern', topic: '$share/#', priority: 0, allow: true },
  { acltype: 'subscribePattern', topic: '$SYS/#', priority: 0, allow: true },
  { acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/#`, priority: 0, allow: true },
  { acltype: 'publishClientReceive', topic: `${TOPIC_ROOT}/#`, priority: 0, allow: true },
  { acltype: 'publishClientReceive', topic: '$SYS/#', priority: 0, allow: true },
];

/**
 * The server's account and role, created when missing (an existing account keeps its
 * password: other instances may be logged in with it). Same rights as
 * deploy/scripts/ci-services.sh gives it.
 */
export function serverAccountCommands(username: string, password: string): DynsecCommand[] {
  return [
    { command: 'createRole', rolename: username, acls: SERVER_ACLS, correlationData: 'server:role' },
    {
      command: 'createClient',
      username,
      password,
      textname: 'gridwatch server',
      roles: [{ rolename: username, priority: 0 }],
      correlationData: 'server:client',
    },
  ];
}
