import { type Static, type TSchema, Type } from 'typebox';
import { Device, REGION_LEVELS } from './api.ts';
import { DEVICE_KINDS, type DeviceKind, SEVERITIES, type Severity } from './kinds.ts';

/**
 * REST contracts of the wall screen (`/api/stats/*`), the region map (`/api/regions`), the
 * device registry (`/api/devices`) and device charts (`/api/devices/:id/telemetry`).
 * Every stats response is scoped to the caller's region and carries `regionId` (the scope)
 * and `at` (server time, ISO 8601) so a screen can show how fresh it is.
 */
const Count = Type.Integer({ minimum: 0 });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Iso = Type.String({ description: 'ISO 8601 timestamp' });

/** One count per severity; every key is always present (zero when none). */
export const SeverityCounts = Type.Object({
  critical: Count,
  major: Count,
  minor: Count,
  warning: Count,
});
export type SeverityCounts = Static<typeof SeverityCounts>;

const StatsBase = { regionId: Type.String(), at: Iso };

export const KindCounts = Type.Object({ total: Count, online: Count });
export type KindCounts = Static<typeof KindCounts>;

/** `GET /api/stats/overview`: the headline figures. */
export const StatsOverview = Type.Object({
  ...StatsBase,
  devices: Count,
  online: Count,
  /** online / devices in [0, 1]; 0 when there are no devices. */
  onlineRate: Type.Number({ minimum: 0, maximum: 1 }),
  byKind: Type.Object({ camera: KindCounts, charger: KindCounts, locker: KindCounts }),
  /** Alerts not resolved (active or acknowledged). */
  openAlerts: Count,
  openBySeverity: SeverityCounts,
  /** Active alerts past their acknowledgement limit. */
  overdueAlerts: Count,
  /** Alerts first seen in the last 24 h. */
  alerts24h: Count,
  /**
   * Share in [0, 1] of the last 24 h's alerts that were acknowledged (or resolved) within
   * their limit, among those acknowledged or already past their limit (alerts still within
   * their limit are not counted yet). Null when there is nothing to count.
   */
  ackedOnTimeRate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
});
export type StatsOverview = Static<typeof StatsOverview>;

/** `GET /api/stats/alerts-by-hour`: alerts first seen in each of the last 24 hours (oldest first, 24 entries). */
export const StatsAlertsByHour = Type.Object({
  ...StatsBase,
  hours: Type.Array(
    Type.Object({
      /** Start of the hour. */
      hour: Iso,
      total: Count,
      counts: SeverityCounts,
    }),
  ),
});
export type StatsAlertsByHour = Static<typeof StatsAlertsByHour>;

/** `GET /api/stats/alerts-by-street`: alerts first seen in the last 24 h, per street in scope (every street, zeros included). */
export const StatsAlertsByStreet = Type.Object({
  ...StatsBase,
  streets: Type.Array(
    Type.Object({
      streetId: Type.String(),
      name: Type.String(),
      total: Count,
      counts: SeverityCounts,
    }),
  ),
});
export type StatsAlertsByStreet = Static<typeof StatsAlertsByStreet>;

/** `GET /api/stats/top-communities?limit=10`: communities with the most open alerts, most first (only those with any). */
export const StatsTopCommunities = Type.Object({
  ...StatsBase,
  communities: Type.Array(
    Type.Object({
      communityId: Type.String(),
      name: Type.String(),
      streetId: Nullable(Type.String()),
      streetName: Nullable(Type.String()),
      open: Count,
      overdue: Count,
      counts: SeverityCounts,
    }),
  ),
});
export type StatsTopCommunities = Static<typeof StatsTopCommunities>;

/** `GET /api/stats/grid-severity`: worst open severity per grid, only grids with open alerts (colour the rest as calm). */
export const StatsGridSeverity = Type.Object({
  ...StatsBase,
  grids: Type.Record(Type.String(), Type.Enum(SEVERITIES)),
});
export type StatsGridSeverity = Static<typeof StatsGridSeverity>;

/** `GET /api/stats/charger-load`: charging load of the chargers in scope. */
export const StatsChargerLoad = Type.Object({
  ...StatsBase,
  /** Sum of the latest reported power of chargers that reported in the last 2 minutes. */
  powerKwNow: Type.Number({ minimum: 0 }),
  chargersReporting: Count,
  chargers: Count,
  portsCharging: Count,
  portsTotal: Count,
  /** Total power over the last 24 h from the 1-minute rollup, one point per `stepS`, oldest first. */
  stepS: Type.Integer({ minimum: 1 }),
  series: Type.Array(Type.Object({ at: Iso, powerKw: Type.Number({ minimum: 0 }) })),
});
export type StatsChargerLoad = Static<typeof StatsChargerLoad>;

/**
 * One device on the map, as a tuple to keep 10k points small:
 * `[id, kind, lon, lat, online, worst open severity or null]`. Devices without a position are left out.
 */
export const DevicePoint = Type.Tuple([
  Type.String(),
  // Typed enums: fast-json-stringify cannot serialise an untyped `enum` inside a tuple.
  Type.Unsafe<DeviceKind>({ type: 'string', enum: [...DEVICE_KINDS] }),
  Type.Number(),
  Type.Number(),
  Type.Boolean(),
  Type.Unsafe<Severity | null>({ type: ['string', 'null'], enum: [...SEVERITIES, null] }),
]);
export type DevicePoint = Static<typeof DevicePoint>;

/** `GET /api/stats/device-points` */
export const StatsDevicePoints = Type.Object({
  ...StatsBase,
  points: Type.Array(DevicePoint),
});
export type StatsDevicePoints = Static<typeof StatsDevicePoints>;

/** `GET /api/stats/config`: what the wall screen needs to set itself up. */
export const StatsConfig = Type.Object({
  districtName: Type.String(),
  /** Id of the district region, when regions are imported. */
  districtId: Nullable(Type.String()),
  /** IANA zone of the centre, e.g. `Asia/Shanghai`: hours on charts are in this zone. */
  timeZone: Type.String(),
  /** The centre's map style; null means build an offline style from `/api/regions`. */
  mapStyleUrl: Nullable(Type.String()),
  /** Seconds within which each severity must be acknowledged. */
  ackLimits: Type.Object({
    critical: Type.Integer(),
    major: Type.Integer(),
    minor: Type.Integer(),
    warning: Type.Integer(),
  }),
  /** [minLon, minLat, maxLon, maxLat] of the caller's region, null before regions are imported. */
  bounds: Nullable(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])),
});
export type StatsConfig = Static<typeof StatsConfig>;

// ---------------------------------------------------------------- regions and map features

/** A GeoJSON geometry (Polygon, MultiPolygon, LineString, Point, ...); coordinates are [lon, lat]. */
export const GeoJsonGeometry = Type.Object({
  type: Type.String(),
  coordinates: Type.Unknown(),
});
export type GeoJsonGeometry = Static<typeof GeoJsonGeometry>;

export const GeoJsonFeature = Type.Object({
  type: Type.Literal('Feature'),
  id: Type.Optional(Type.String()),
  properties: Type.Record(Type.String(), Type.Unknown()),
  geometry: GeoJsonGeometry,
});
export type GeoJsonFeature = Static<typeof GeoJsonFeature>;

export const GeoJsonFeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(GeoJsonFeature),
});
export type GeoJsonFeatureCollection = Static<typeof GeoJsonFeatureCollection>;

export const MAP_FEATURE_TYPES = ['road', 'compound', 'station'] as const;
export type MapFeatureType = (typeof MAP_FEATURE_TYPES)[number];

const regionNode = <T extends TSchema>(children: T) =>
  Type.Object({
    id: Type.String(),
    level: Type.Enum(REGION_LEVELS),
    name: Type.String(),
    parentId: Nullable(Type.String()),
    /** Devices placed in this region (any level below it). */
    devices: Count,
    children: Type.Array(children),
  });
/** The tree has exactly four levels (district > street > community > grid); grids have no children. */
export const GridNode = regionNode(Type.Never());
export const CommunityNode = regionNode(GridNode);
export const StreetNode = regionNode(CommunityNode);
export const DistrictNode = regionNode(StreetNode);
export type RegionNode = Static<typeof DistrictNode>;

/**
 * `GET /api/regions`: `tree` (districts at the root), `geojson` (one Feature per region with a
 * geometry; properties `{id, level, name, parentId}`), `features` (roads, compounds, stations;
 * properties `{featureType, id, name, ...}`). Any logged-in user may read the whole map.
 */
export const RegionsResponse = Type.Object({
  tree: Type.Array(DistrictNode),
  geojson: GeoJsonFeatureCollection,
  features: GeoJsonFeatureCollection,
});
export type RegionsResponse = Static<typeof RegionsResponse>;

/** `POST /api/regions/import` result. */
export const RegionImportResult = Type.Object({
  regions: Count,
  features: Count,
  /** After the import every device is placed again. */
  devicesPlaced: Count,
  devicesUnplaced: Count,
});
export type RegionImportResult = Static<typeof RegionImportResult>;

// ---------------------------------------------------------------- devices

/** `GET /api/devices?kind=&region=&online=&q=&limit=&offset=` */
export const DeviceListResponse = Type.Object({
  items: Type.Array(Device),
  /** Matches before paging. */
  total: Count,
});
export type DeviceListResponse = Static<typeof DeviceListResponse>;

export const ImportError = Type.Object({
  /** CSV line (1 = header) or GeoJSON feature index (0-based). */
  line: Type.Optional(Type.Integer()),
  feature: Type.Optional(Type.Integer()),
  id: Nullable(Type.String()),
  message: Type.String(),
});
export type ImportError = Static<typeof ImportError>;

/** `POST /api/devices/import` (GeoJSON Points or `text/csv`) result; bad rows are skipped and listed. */
export const DeviceImportResult = Type.Object({
  imported: Count,
  placed: Count,
  unplaced: Count,
  errors: Type.Array(ImportError),
  /** True when more than 200 devices are provisioned on the broker in the background. */
  provisioningInBackground: Type.Boolean(),
  /**
   * Broker accounts of the imported devices at the time of the answer: `ready` can log in
   * now; `pending` are being provisioned (follow them with `GET /api/devices?provisioning=`);
   * `failed` cannot, each listed in `provisioningFailures` (the first 100).
   */
  provisioning: Type.Object({ ready: Count, pending: Count, failed: Count }),
  provisioningFailures: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
});
export type DeviceImportResult = Static<typeof DeviceImportResult>;

/** `POST /api/devices` result: the device and its MQTT credentials (shown once to the installer). */
export const DeviceCreateResult = Type.Object({
  device: Device,
  credentials: Type.Object({ username: Type.String(), password: Type.String() }),
});
export type DeviceCreateResult = Static<typeof DeviceCreateResult>;

// ---------------------------------------------------------------- telemetry

export const TELEMETRY_SOURCES = ['raw', 'rollup'] as const;

/** `GET /api/devices/:id/telemetry?metric=&from=&to=&bucket=` (bucket in seconds). */
export const TelemetrySeries = Type.Object({
  deviceId: Type.String(),
  metric: Type.String(),
  unit: Type.String(),
  from: Iso,
  to: Iso,
  bucketS: Type.Integer({ minimum: 1 }),
  /** Raw readings up to 6 h, the 1-minute rollup beyond. */
  source: Type.Enum(TELEMETRY_SOURCES),
  /** Buckets with data only, oldest first; `t` is the bucket start. */
  points: Type.Array(
    Type.Object({ t: Iso, avg: Type.Number(), min: Type.Number(), max: Type.Number(), count: Count }),
  ),
  /**
   * Readings of the range left out because their value cannot be aggregated (stored before the
   * catalogue bounded it, or written by hand); 0 normally.
   */
  skipped: Count,
});
export type TelemetrySeries = Static<typeof TelemetrySeries>;
