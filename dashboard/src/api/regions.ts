import type { RegionsResponse } from '@gridwatch/devices/api-stats';
import { get } from './http.ts';

export const getRegions = () => get<RegionsResponse>('/api/regions');
