import type { Alert, AlertDetail, AlertList } from '@gridwatch/devices/api';
import { get, post, type Query } from './http.ts';

export const getAlert = (id: string) => get<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}`);

/** Ack/resolve may answer the alert itself or `{ alert }`; accept both. */
const unwrap = (body: Alert | { alert: Alert }): Alert => ('alert' in body ? body.alert : body);
export const ackAlert = async (id: string, remark: string) =>
  unwrap(await post<Alert | { alert: Alert }>(`/api/alerts/${encodeURIComponent(id)}/ack`, { remark }));
export const resolveAlert = async (id: string, remark?: string) =>
  unwrap(
    await post<Alert | { alert: Alert }>(
      `/api/alerts/${encodeURIComponent(id)}/resolve`,
      remark ? { remark } : {},
    ),
  );
