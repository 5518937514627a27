import type { DeviceStatusUpdate } from '@gridwatch/devices/api';
import type { DevicePoint } from '@gridwatch/devices/api-stats';
import { DEVICE_KINDS, type DeviceKind } from '@gridwatch/devices/kinds';
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { listDevices } from '../api/devices.ts';
import { getDevicePoints } from '../api/stats.ts';
import { useRealtimeStore } from './realtime.ts';

export interface FleetDevice {
  id: string;
  kind: DeviceKind;
  lon: number;
  lat: number;
  online: boolean;
}

export type KindCounts = Record<DeviceKind, { total: number; online: number }>;

/**
 * Every placed device with its online state, for the wall's map. Held outside Vue's
 * reactivity (10k objects); `version` says when the map should redraw.
 */
export const useFleetStore = defineStore('fleet', () => {
  const devices = markRaw(new Map<string, FleetDevice>());
  const version = shallowRef(0);
  const total = ref(0);
  const online = ref(0);
  const byKind = ref<KindCounts>(emptyCounts());
  const loaded = ref(false);
  let pending = new Map<string, DeviceStatusUpdate>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let unsubscribe: (() => void) | null = null;

  function recount() {
    const counts = emptyCounts();
    let on = 0;
    for (const d of devices.values()) {
      counts[d.kind].total++;
      if (d.online) {
        counts[d.kind].online++;
        on++;
      }
    }
    total.value = devices.size;
    online.value = on;
    byKind.value = counts;
    version.value++;
  }

  async function load() {
    const points = await getDevicePoints()
      .then((r) => r.points)
      .catch(devicePointsFromList);
    devices.clear();
    for (const p of points) {
      const [id, kind, lon, lat, isOnline] = p;
      devices.set(id, { id, kind, lon, lat, online: isOnline });
    }
    loaded.value = true;
    recount();
  }

  function flush() {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    let changed = false;
    for (const u of batch.values()) {
      const d = devices.get(u.deviceId);
      if (d && d.online !== u.online) {
        d.online = u.online;
        changed = true;
      }
    }
    if (changed) recount();
  }

  function start() {
    if (unsubscribe) return;
    unsubscribe = useRealtimeStore().subscribe({
      alert: () => {},
      status: (u) => {
        pending.set(u.deviceId, u); // only the latest state per device matters
      },
      resynced: () => {
        load().catch(() => {});
      },
    });
    timer = setInterval(flush, 1000);
  }

  function stop() {
    unsubscribe?.();
    unsubscribe = null;
    if (timer) clearInterval(timer);
    timer = null;
  }

  return { devices, version, total, online, byKind, loaded, load, start, stop };
});

function emptyCounts(): KindCounts {
  return Object.fromEntries(DEVICE_KINDS.map((k) => [k, { total: 0, online: 0 }])) as KindCounts;
}

/** Fallback when the stats endpoint is unavailable: the same points from the device registry, page by page. */
async function devicePointsFromList(): Promise<DevicePoint[]> {
  const points: DevicePoint[] = [];
  for (let offset = 0; ; offset += 5000) {
    const page = await listDevices({ limit: 5000, offset });
    for (const d of page.items)
      if (d.lon !== null && d.lat !== null) points.push([d.id, d.kind, d.lon, d.lat, d.online, null]);
    if (page.items.length < 5000 || offset + 5000 >= page.total) return points;
  }
}
