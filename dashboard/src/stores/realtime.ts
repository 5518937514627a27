import type {
  Alert,
  ClientToServerEvents,
  DeviceStatusUpdate,
  ServerToClientEvents,
} from '@gridwatch/devices/api';
import { defineStore } from 'pinia';
import { io, type Socket } from 'socket.io-client';
import { markRaw, ref, shallowRef } from 'vue';

export type ConnectionState = 'connecting' | 'online' | 'offline';

type GwSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RealtimeHandlers {
  alert(alert: Alert, kind: 'new' | 'update' | 'sync'): void;
  status(update: DeviceStatusUpdate): void;
  /** After every (re)connection: refetch whatever is aggregated on the server. */
  resynced(): void;
}

/**
 * The one Socket.IO connection. Reconnects forever (the wall runs for weeks); on every
 * connection it asks for `alerts:sync` since the last event it saw, so nothing missed while
 * disconnected stays missing.
 */
export const useRealtimeStore = defineStore('realtime', () => {
  const state = ref<ConnectionState>('connecting');
  const lastSyncAt = ref<string | null>(null);
  const socket = shallowRef<GwSocket | null>(null);
  const handlers = new Set<RealtimeHandlers>();
  let since: string | undefined;

  function subscribe(h: RealtimeHandlers): () => void {
    handlers.add(h);
    return () => handlers.delete(h);
  }

  function sync(s: GwSocket) {
    const request = since ? { since } : {};
    s.timeout(15_000).emit('alerts:sync', request, (err: Error | null, alerts: Alert[]) => {
      if (err) return; // the next reconnect syncs again
      for (const a of alerts) {
        track(a);
        for (const h of handlers) h.alert(a, 'sync');
      }
      lastSyncAt.value = new Date().toISOString();
      for (const h of handlers) h.resynced();
    });
  }

  function track(a: Alert) {
    // Remember the newest change we saw; the server replays what changed after it.
    const t = [a.lastSeen, a.ackAt, a.resolvedAt, a.clearedAt].filter(Boolean).sort().at(-1);
    if (t && (!since || t > since)) since = t;
  }

  function connect() {
    if (socket.value) return;
    const s: GwSocket = markRaw(
      io({
        // No token: the handshake carries the HttpOnly session cookie, as fetch does.
        transports: ['websocket'],
        reconnection: true,
        reconnectionDelay: 500,
        reconnectionDelayMax: 3000,
        randomizationFactor: 0.3,
        timeout: 8000,
      }),
    );
    s.on('connect', () => {
      state.value = 'online';
      sync(s);
    });
    s.on('disconnect', (reason) => {
      state.value = 'offline';
      // A server-side disconnect (e.g. a restart's shutdown) is not retried by the client itself.
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
    });
    s.on('connect_error', () => {
      state.value = 'offline';
      // Refused auth stops the built-in retries; keep trying, the server may be coming back.
      if (!s.active) setTimeout(() => s.connect(), 2000);
    });
    s.on('alert:new', (a) => {
      track(a);
      for (const h of handlers) h.alert(a, 'new');
    });
    s.on('alert:update', (a) => {
      track(a);
      for (const h of handlers) h.alert(a, 'update');
    });
    s.on('device:status', (u) => {
      for (const h of handlers) h.status(u);
    });
    socket.value = s;
  }

  function disconnect() {
    socket.value?.removeAllListeners();
    socket.value?.disconnect();
    socket.value = null;
    since = undefined;
    state.value = 'connecting';
  }

  return { state, lastSyncAt, socket, connect, disconnect, subscribe };
});
