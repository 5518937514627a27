import type { ClientToServerEvents, ServerToClientEvents } from '@gridwatch/devices';
import { type DeviceKind, deviceTopic } from '@gridwatch/devices';
import { devicePassword } from '@gridwatch/devices/credentials';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { ADMIN, TEST_FLEET_SECRET } from './backends.ts';

export { ADMIN };

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/** Logs in and returns the bearer token. */
export async function login(
  baseUrl: string,
  username = ADMIN.username,
  password = ADMIN.password,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** One JSON request with an optional bearer token; the body comes back parsed when it is JSON. */
export async function apiRequest<T = any>(
  baseUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, body: parsed as T };
}

/** A small JSON client carrying a bearer token. */
export function api(baseUrl: string, token?: string) {
  const call = <T = any>(method: string, path: string, body?: unknown, contentType?: string) =>
    apiRequest<T>(baseUrl, token, method, path, body, contentType);
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, contentType?: string) =>
      call<T>('POST', path, body ?? {}, contentType),
    put: <T = any>(path: string, body?: unknown) => call<T>('PUT', path, body ?? {}),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body ?? {}),
    del: <T = any>(path: string) => call<T>('DELETE', path),
  };
}

/** A device's MQTT connection with its own credentials, retained online status and last will. */
export async function connectDevice(
  mqttUrl: string,
  kind: DeviceKind,
  id: string,
  opts: { fleetSecret?: string; password?: string; clientId?: string; will?: boolean } = {},
): Promise<MqttClient> {
  const password = opts.password ?? devicePassword(opts.fleetSecret ?? TEST_FLEET_SECRET, id);
  const statusTopic = deviceTopic(kind, id, 'status');
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: opts.clientId ?? `${id}-${Math.random().toString(16).slice(2, 8)}`,
    username: id,
    password,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    will:
      opts.will === false
        ? undefined
        : {
            topic: statusTopic,
            payload: Buffer.from(JSON.stringify({ state: 'offline', reason: 'last-will' })),
            qos: 1,
            retain: true,
          },
  });
  return client;
}

/** An authenticated Socket.IO client. */
export async function connectSocket(
  baseUrl: string,
  token: string,
): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}
