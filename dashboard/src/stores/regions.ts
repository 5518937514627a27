import type { RegionNode } from '@gridwatch/devices/api-stats';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { getRegions } from '../api/regions.ts';

/** Region names and the street list for filters; loaded once per session. */
export const useRegionsStore = defineStore('regions', () => {
  const tree = shallowRef<RegionNode[]>([]);
  const names = shallowRef(new Map<string, string>());
  let loading: Promise<void> | null = null;

  function load() {
    loading ??= getRegions()
      .then((r) => {
        tree.value = r.tree;
        const m = new Map<string, string>();
        const walk = (n: { id: string; name: string; children: unknown[] }) => {
          m.set(n.id, n.name);
          for (const c of n.children as Array<typeof n>) walk(c);
        };
        for (const d of r.tree) walk(d);
        names.value = m;
      })
      .catch(() => {
        loading = null;
      });
    return loading;
  }

  const streets = computed(() =>
    tree.value.flatMap((d) => d.children.map((s) => ({ id: s.id, name: s.name }))),
  );
  const name = (id: string | null | undefined) => (id ? (names.value.get(id) ?? id) : '—');
  return { tree, names, streets, load, name };
});
