import type { Alert } from '@gridwatch/devices/api';
import { SEVERITY_RANK } from '@gridwatch/devices/kinds';
import { defineStore } from 'pinia';
import { computed, shallowRef, triggerRef } from 'vue';
import { useRealtimeStore } from './realtime.ts';

/** Bounds: the wall runs for weeks without a reload. */
export const LIMITS = { open: 10_000, resolved: 200, latest: 60, pulses: 12, pulseMs: 90_000, flushMs: 500 };

export interface Pulse {
  id: string;
  lon: number;
  lat: number;
  at: number;
}

const newer = (a: Alert, b: Alert) =>
  a.lastSeen > b.lastSeen || (a.lastSeen === b.lastSeen && (a.ackAt ?? '') >= (b.ackAt ?? ''));

/**
 * Alerts in the signed-in user's scope (the server scopes the socket). Socket events are
 * queued and applied every `flushMs` in one batch, so a burst costs one re-render.
 */
export const useAlertsStore = defineStore('alerts', () => {
  const open = shallowRef(new Map<string, Alert>());
  const resolved = shallowRef<Alert[]>([]);
  const latest = shallowRef<Alert[]>([]);
  const pulses = shallowRef<Pulse[]>([]);
  /** Bumped after every applied batch: aggregates refetch on it. */
  const batches = shallowRef(0);
  let pending: Array<{ alert: Alert; kind: 'new' | 'update' | 'sync' }> = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  let unsubscribe: (() => void) | null = null;

  function apply(batch: typeof pending) {
    const now = Date.now();
    const map = open.value;
    let res = resolved.value;
    let lat = latest.value;
    let pul = pulses.value.filter((p) => now - p.at < LIMITS.pulseMs);
    for (const { alert, kind } of batch) {
      const known = map.get(alert.id) ?? res.find((r) => r.id === alert.id);
      if (known && !newer(alert, known)) continue;
      if (alert.state === 'resolved') {
        map.delete(alert.id);
        res = [alert, ...res.filter((r) => r.id !== alert.id)].slice(0, LIMITS.resolved);
      } else {
        map.set(alert.id, alert);
      }
      // A replayed (sync) change updates the row in place; a live one moves it to the top.
      if (kind !== 'sync' || !known) lat = [alert, ...lat.filter((l) => l.id !== alert.id)];
      else lat = lat.map((l) => (l.id === alert.id ? alert : l));
      if (kind === 'new' && alert.severity === 'critical' && alert.lon !== null && alert.lat !== null)
        pul = [
          { id: alert.id, lon: alert.lon, lat: alert.lat, at: now },
          ...pul.filter((p) => p.id !== alert.id),
        ];
    }
    // Over the bound, drop the stalest tenth at once: one pass now and then, not a sort per batch.
    if (map.size > LIMITS.open) {
      const cut = [...map.values()].map((a) => a.lastSeen).sort()[Math.ceil(LIMITS.open * 0.1)];
      if (cut) for (const [id, a] of map) if (a.lastSeen < cut) map.delete(id);
    }
    // Pulses stop once someone acknowledges the alert.
    pul = pul.filter((p) => map.get(p.id)?.state === 'active').slice(0, LIMITS.pulses);
    lat.sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0));
    resolved.value = res;
    latest.value = lat.slice(0, LIMITS.latest);
    pulses.value = pul;
    triggerRef(open);
    batches.value++;
  }

  function flush() {
    const now = Date.now();
    if (pending.length === 0) {
      if (pulses.value.some((p) => now - p.at >= LIMITS.pulseMs))
        pulses.value = pulses.value.filter((p) => now - p.at < LIMITS.pulseMs);
      return;
    }
    const batch = pending;
    pending = [];
    apply(batch);
  }

  /** Starts listening to the realtime store; idempotent. */
  function start() {
    if (unsubscribe) return;
    const realtime = useRealtimeStore();
    unsubscribe = realtime.subscribe({
      alert: (alert, kind) => {
        pending.push({ alert, kind });
        // A flood while the tab is hidden must not grow without bound either.
        if (pending.length > 20_000) pending = pending.slice(-10_000);
      },
      status: () => {},
      resynced: () => {},
    });
    timer = setInterval(flush, LIMITS.flushMs);
  }

  function stop() {
    unsubscribe?.();
    unsubscribe = null;
    if (timer) clearInterval(timer);
    timer = null;
  }

  /** Applies a REST answer (ack/resolve) at once rather than waiting for the socket echo. */
  function upsert(alert: Alert) {
    apply([{ alert, kind: 'update' }]);
  }

  const openList = computed(() =>
    [...open.value.values()].sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0),
    ),
  );
  // A plain loop, no sort: the wall shows only the number.
  const overdueCount = computed(() => {
    let n = 0;
    for (const a of open.value.values()) if (a.overdue && a.state === 'active') n++;
    return n;
  });
  const criticalActive = computed(() =>
    openList.value.filter((a) => a.severity === 'critical' && a.state === 'active'),
  );
  const find = (id: string) => open.value.get(id) ?? resolved.value.find((a) => a.id === id);

  return {
    open,
    resolved,
    latest,
    pulses,
    batches,
    openList,
    overdueCount,
    criticalActive,
    start,
    stop,
    upsert,
    find,
    flush,
  };
});
