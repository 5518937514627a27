import type {
  StatsAlertsByHour,
  StatsAlertsByStreet,
  StatsChargerLoad,
  StatsConfig,
  StatsOverview,
  StatsTopCommunities,
} from '@gridwatch/devices/api-stats';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import * as api from '../api/stats.ts';
import { useRealtimeStore } from './realtime.ts';

/** Server-side aggregates for the wall. Refetched after each (re)connection, on alert changes (throttled) and periodically. */
export const useStatsStore = defineStore('stats', () => {
  const config = shallowRef<StatsConfig | null>(null);
  const overview = shallowRef<StatsOverview | null>(null);
  const byHour = shallowRef<StatsAlertsByHour | null>(null);
  const byStreet = shallowRef<StatsAlertsByStreet | null>(null);
  const top = shallowRef<StatsTopCommunities | null>(null);
  const chargerLoad = shallowRef<StatsChargerLoad | null>(null);
  const timeZone = computed(() => config.value?.timeZone ?? 'Asia/Shanghai');
  let timer: ReturnType<typeof setInterval> | null = null;
  let throttle: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  let inflight: Promise<void> | null = null;

  async function loadConfig() {
    config.value = await api.getConfig();
  }

  /** Each panel fails on its own: one missing endpoint must not blank the wall. */
  function refresh(): Promise<void> {
    inflight ??= Promise.allSettled([
      api.getOverview().then((v) => (overview.value = v)),
      api.getAlertsByHour().then((v) => (byHour.value = v)),
      api.getAlertsByStreet().then((v) => (byStreet.value = v)),
      api.getTopCommunities(8).then((v) => (top.value = v)),
      api.getChargerLoad().then((v) => (chargerLoad.value = v)),
    ]).then(() => {
      inflight = null;
    });
    return inflight;
  }

  /** Alert changes come in bursts: refetch at most every 3 s. */
  function soon() {
    if (throttle) return;
    throttle = setTimeout(() => {
      throttle = null;
      refresh();
    }, 3000);
  }

  function start() {
    if (unsubscribe) return;
    unsubscribe = useRealtimeStore().subscribe({
      alert: (_a, kind) => {
        if (kind !== 'sync') soon();
      },
      status: () => soon(),
      resynced: () => {
        loadConfig().catch(() => {});
        refresh();
      },
    });
    timer = setInterval(refresh, 30_000);
  }

  function stop() {
    unsubscribe?.();
    unsubscribe = null;
    if (timer) clearInterval(timer);
    if (throttle) clearTimeout(throttle);
    timer = null;
    throttle = null;
  }

  return { config, overview, byHour, byStreet, top, chargerLoad, timeZone, loadConfig, refresh, start, stop };
});
