import type { Device } from '@gridwatch/devices/api';
import type { DeviceListResponse, TelemetrySeries } from '@gridwatch/devices/api-stats';
import { get, type Query } from './http.ts';

export const listDevices = (query: Query) => get<DeviceListResponse>('/api/devices', query);
export const getDevice = (id: string) => get<Device>(`/api/devices/${encodeURIComponent(id)}`);

/** One metric of a device over a range; `bucket` in seconds, chosen by the server when absent. */
export const getTelemetry = (
  id: string,
  query: { metric: string; from: string; to: string; bucket?: number },
) => get<TelemetrySeries>(`/api/devices/${encodeURIComponent(id)}/telemetry`, query);
