import type {
  StatsAlertsByHour,
  StatsAlertsByStreet,
  StatsChargerLoad,
  StatsConfig,
  StatsDevicePoints,
  StatsOverview,
  StatsTopCommunities,
} from '@gridwatch/devices/api-stats';
import { get } from './http.ts';

export const getConfig = () => get<StatsConfig>('/api/stats/config');
export const getOverview = () => get<StatsOverview>('/api/stats/overview');
export const getAlertsByHour = () => get<StatsAlertsByHour>('/api/stats/alerts-by-hour');
export const getAlertsByStreet = () => get<StatsAlertsByStreet>('/api/stats/alerts-by-street');
export const getTopCommunities = (limit = 8) =>
  get<StatsTopCommunities>('/api/stats/top-communities', { limit });
export const getChargerLoad = () => get<StatsChargerLoad>('/api/stats/charger-load');
export const getDevicePoints = () => get<StatsDevicePoints>('/api/stats/device-points');
