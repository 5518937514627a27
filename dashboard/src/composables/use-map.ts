import type { GeoJsonFeatureCollection } from '@gridwatch/devices/api-stats';
import type { Severity } from '@gridwatch/devices/kinds';
import { type GeoJSONSource, Map as MapLibreMap, Marker, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { markRaw, onBeforeUnmount, type Ref, ref, shallowRef } from 'vue';
import { addDistrictLayers, boundsOf, offlineStyle } from '../map/district-layers.ts';
import { installLabelImages } from '../map/label-images.ts';

// Served from our own origin as a hashed asset; the bundler cannot follow MapLibre's own worker URL.
setWorkerUrl(workerUrl);

export interface MapSetup {
  regions: GeoJsonFeatureCollection;
  features: GeoJsonFeatureCollection;
  /** The centre's own style server; the offline style when null. */
  styleUrl: string | null;
  bounds: [number, number, number, number] | null;
}

/**
 * The MapLibre instance of one view, held raw (never reactive). `ready` turns true once the
 * district layers are in; the setters are no-ops before that.
 */
export function useMap(container: Ref<HTMLElement | null>) {
  const map = shallowRef<MapLibreMap | null>(null);
  const ready = ref(false);
  let gridStates = new Map<string, Severity>();
  const pulseMarkers = new Map<string, Marker>();

  function create(setup: MapSetup) {
    if (!container.value || map.value) return;
    const bounds = setup.bounds ?? boundsOf(setup.regions);
    const m = markRaw(
      new MapLibreMap({
        container: container.value,
        style: setup.styleUrl ?? offlineStyle(),
        attributionControl: false,
        ...(bounds ? { bounds, fitBoundsOptions: { padding: 40 } } : { center: [108.94, 34.27], zoom: 12 }),
        // Nothing in the offline style asks for tiles, glyphs or sprites; keep it that way on a wall.
        maxTileCacheSize: 64,
        fadeDuration: 0,
        dragRotate: false,
        pitchWithRotate: false,
      }),
    );
    installLabelImages(m);
    m.on('load', () => {
      addDistrictLayers(m, setup.regions, setup.features);
      ready.value = true;
    });
    map.value = m;
  }

  function setDevices(fc: GeoJsonFeatureCollection) {
    if (!ready.value) return;
    (map.value?.getSource('devices') as GeoJSONSource | undefined)?.setData(fc as never);
  }

  /** Colours grids by their worst open alert through feature state: no re-tiling. */
  function setGridSeverity(next: Map<string, Severity>) {
    const m = map.value;
    if (!ready.value || !m) return;
    for (const [id] of gridStates)
      if (!next.has(id)) m.setFeatureState({ source: 'regions', id }, { severity: null });
    for (const [id, s] of next)
      if (gridStates.get(id) !== s) m.setFeatureState({ source: 'regions', id }, { severity: s });
    gridStates = new Map(next);
  }

  /** Pulsing rings for new critical alerts: CSS-animated DOM markers, so the GL map need not repaint for them. */
  function setPulses(pulses: Array<{ id: string; lon: number; lat: number }>) {
    const m = map.value;
    if (!m) return;
    const keep = new Set(pulses.map((p) => p.id));
    for (const [id, marker] of pulseMarkers) {
      if (!keep.has(id)) {
        marker.remove();
        pulseMarkers.delete(id);
      }
    }
    for (const p of pulses) {
      if (pulseMarkers.has(p.id)) continue;
      const el = document.createElement('div');
      el.className = 'gw-pulse';
      el.dataset.alertId = p.id;
      el.innerHTML = '<span></span><span></span><i></i>';
      pulseMarkers.set(p.id, new Marker({ element: el }).setLngLat([p.lon, p.lat]).addTo(m));
    }
  }

  onBeforeUnmount(() => {
    for (const marker of pulseMarkers.values()) marker.remove();
    pulseMarkers.clear();
    map.value?.remove();
    map.value = null;
    ready.value = false;
  });

  return { map, ready, create, setDevices, setGridSeverity, setPulses };
}
