import { type DeviceKind, type ImportError, isDeviceKind, isValidDeviceId } from '@gridwatch/devices';
import { parseCsv } from './csv.ts';

/**
 * Turning a device import (CSV or GeoJSON Points) into rows, pure. Bad rows are listed with
 * their line (CSV) or feature index (GeoJSON) and skipped; good rows go on. Strings are kept
 * as given (they are data, never markup or SQL) apart from NUL, which PostgreSQL cannot store.
 */
export interface DeviceInput {
  id: string;
  kind: DeviceKind;
  name: string;
  lon: number | null;
  lat: number | null;
  site: string | null;
  attributes: Record<string, unknown>;
}

export interface ParsedDevices {
  devices: DeviceInput[];
  errors: ImportError[];
  /** A problem with the whole body (no header, not a FeatureCollection): nothing imported. */
  fatal: string | null;
}

export const REQUIRED_COLUMNS = ['id', 'kind', 'name', 'lon', 'lat'] as const;
const KNOWN_COLUMNS = new Set(['id', 'kind', 'name', 'lon', 'lat', 'site']);
const MAX_NAME = 200;
const MAX_SITE = 64;
const MAX_ATTRIBUTE = 1000;
const MAX_ERRORS = 1000;

type Where = { line: number } | { feature: number };
type Raw = {
  id: unknown;
  kind: unknown;
  name: unknown;
  lon: unknown;
  lat: unknown;
  site: unknown;
  attributes: Record<string, unknown>;
};

const hasNul = (v: unknown): boolean =>
  typeof v === 'string'
    ? v.includes('\u0000')
    : typeof v === 'object' && v !== null && JSON.stringify(v).includes('\\u0000');

function coordinate(v: unknown, low: number, high: number): number | null | 'bad' {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= low && n <= high ? n : 'bad';
}

/** One row to a device or to the reason it cannot be one. */
export function validateDevice(raw: Raw): DeviceInput | string {
  const id = typeof raw.id === 'string' ? raw.id.trim() : raw.id;
  if (typeof id !== 'string' || !isValidDeviceId(id)) return 'id must be 1-64 letters, digits, "-" or "_"';
  const kind = typeof raw.kind === 'string' ? raw.kind.trim() : '';
  if (!isDeviceKind(kind))
    return `kind must be camera, charger or locker, not ${JSON.stringify(String(raw.kind ?? ''))}`;
  if (typeof raw.name !== 'string' || raw.name.trim() === '') return 'name is required';
  if (raw.name.length > MAX_NAME) return `name is longer than ${MAX_NAME} characters`;
  const lon = coordinate(raw.lon, -180, 180);
  const lat = coordinate(raw.lat, -90, 90);
  if (lon === 'bad') return 'lon must be a number between -180 and 180';
  if (lat === 'bad') return 'lat must be a number between -90 and 90';
  if ((lon === null) !== (lat === null)) return 'give both lon and lat, or neither';
  const site = raw.site === null || raw.site === undefined || raw.site === '' ? null : raw.site;
  if (site !== null && (typeof site !== 'string' || site.length > MAX_SITE))
    return `site must be a string of at most ${MAX_SITE} characters`;
  for (const [key, value] of Object.entries(raw.attributes)) {
    if ((JSON.stringify(value) ?? '').length > MAX_ATTRIBUTE)
      return `attribute "${key.slice(0, 40)}" is too long`;
  }
  if ([raw.name, site, raw.attributes].some(hasNul) || Object.keys(raw.attributes).some(hasNul))
    return 'contains a NUL character';
  return { id, kind, name: raw.name.trim(), lon, lat, site, attributes: raw.attributes };
}

/** Keeps the first of repeated ids; later ones are errors naming where the first one was. */
function collect(rows: Array<{ where: Where; raw: Raw }>): ParsedDevices {
  const devices: DeviceInput[] = [];
  const errors: ImportError[] = [];
  const firstAt = new Map<string, Where>();
  for (const { where, raw } of rows) {
    const result = validateDevice(raw);
    const id = typeof raw.id === 'string' ? raw.id.slice(0, 64) : null;
    if (typeof result === 'string') {
      if (errors.length < MAX_ERRORS) errors.push({ ...where, id, message: result });
      continue;
    }
    const first = firstAt.get(result.id);
    if (first) {
      const at = 'line' in first ? `line ${first.line}` : `feature ${first.feature}`;
      if (errors.length < MAX_ERRORS) errors.push({ ...where, id, message: `duplicate id (first on ${at})` });
      continue;
    }
    firstAt.set(result.id, where);
    devices.push(result);
  }
  return { devices, errors, fatal: null };
}

/** CSV with header `id,kind,name,lon,lat[,site][,extra...]`; extra columns become attributes. */
export function parseDeviceCsv(body: string): ParsedDevices {
  const { records, error } = parseCsv(body);
  if (error) return { devices: [], errors: [], fatal: error };
  const [header, ...rows] = records;
  if (!header)
    return { devices: [], errors: [], fatal: 'empty CSV: expected a header id,kind,name,lon,lat,site' };
  const columns = header.fields.map((f) => f.trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length)
    return {
      devices: [],
      errors: [],
      fatal: `CSV header lacks column(s) ${missing.join(', ')} (line ${header.line})`,
    };
  const dup = columns.find((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (dup) return { devices: [], errors: [], fatal: `CSV header repeats column "${dup}"` };
  const parsed: Array<{ where: Where; raw: Raw }> = [];
  const tooWide: ImportError[] = [];
  for (const record of rows) {
    if (record.fields.length !== columns.length) {
      tooWide.push({
        line: record.line,
        id: record.fields[0]?.slice(0, 64) ?? null,
        message: `expected ${columns.length} fields, found ${record.fields.length}`,
      });
      continue;
    }
    const value = (c: string) => record.fields[columns.indexOf(c)];
    // fromEntries defines own properties: a column named __proto__ stays a plain key.
    const attributes: Record<string, unknown> = Object.fromEntries(
      columns
        .map((c, i) => [c, record.fields[i]] as const)
        .filter(([c, v]) => c !== '' && !KNOWN_COLUMNS.has(c) && v !== ''),
    );
    parsed.push({
      where: { line: record.line },
      raw: {
        id: value('id'),
        kind: value('kind'),
        name: value('name'),
        lon: value('lon'),
        lat: value('lat'),
        site: columns.includes('site') ? value('site') : null,
        attributes,
      },
    });
  }
  const result = collect(parsed);
  result.errors = [...tooWide, ...result.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return result;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A FeatureCollection of Points with properties `{id, kind, name, site?, ...attributes}`. */
export function parseDeviceGeoJson(body: unknown): ParsedDevices {
  if (!isObject(body) || body.type !== 'FeatureCollection' || !Array.isArray(body.features))
    return {
      devices: [],
      errors: [],
      fatal: 'body must be a GeoJSON FeatureCollection of Points, or text/csv',
    };
  const rows: Array<{ where: Where; raw: Raw }> = [];
  const errors: ImportError[] = [];
  body.features.forEach((f: unknown, feature) => {
    const props = isObject(f) && isObject(f.properties) ? f.properties : null;
    if (!isObject(f) || f.type !== 'Feature' || !props) {
      errors.push({ feature, id: null, message: 'not a GeoJSON Feature with properties' });
      return;
    }
    const g = f.geometry;
    let lon: unknown = null;
    let lat: unknown = null;
    if (g !== null && g !== undefined) {
      if (!isObject(g) || g.type !== 'Point' || !Array.isArray(g.coordinates) || g.coordinates.length < 2) {
        errors.push({
          feature,
          id: typeof props.id === 'string' ? props.id : null,
          message: 'geometry must be a Point',
        });
        return;
      }
      [lon, lat] = g.coordinates as unknown[];
      // A Point's coordinates must be numbers, not strings that look like numbers.
      if (typeof lon !== 'number' || typeof lat !== 'number') lon = lat = 'bad';
    }
    const { id, kind, name, site, ...attributes } = props;
    rows.push({ where: { feature }, raw: { id: id ?? f.id, kind, name, lon, lat, site, attributes } });
  });
  const result = collect(rows);
  result.errors = [...errors, ...result.errors].sort((a, b) => (a.feature ?? 0) - (b.feature ?? 0));
  return result;
}
