import type { FeatureCollection } from '../district/types.ts';
import type { SimDevice } from './types.ts';

export interface DeviceFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    id: string;
    kind: SimDevice['kind'];
    name: string;
    site: string | null;
    [key: string]: unknown;
  };
}

/** Devices in the import format of POST /api/devices/import. */
export function fleetGeoJson(devices: SimDevice[]): FeatureCollection<DeviceFeature> {
  return {
    type: 'FeatureCollection',
    features: devices.map((d) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: d.position },
      properties: { id: d.id, kind: d.kind, name: d.name, site: d.site, ...d.attributes },
    })),
  };
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** The CSV variant of the import: header id,kind,name,lon,lat,site. */
export function fleetCsv(devices: SimDevice[]): string {
  const rows = devices.map((d) =>
    [d.id, d.kind, d.name, String(d.position[0]), String(d.position[1]), d.site ?? '']
      .map(csvField)
      .join(','),
  );
  return `id,kind,name,lon,lat,site\n${rows.join('\n')}\n`;
}
