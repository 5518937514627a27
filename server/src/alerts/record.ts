import type { Alert, AlertHistoryEntry, AlertState, DeviceKind, Severity } from '@gridwatch/devices';

/** An alert as the alerts table holds it (times as Date). */
export interface AlertRecord {
  id: string;
  cause: string;
  severity: Severity;
  state: AlertState;
  device_id: string;
  device_kind: DeviceKind;
  device_ids: string[];
  site: string | null;
  district_id: string | null;
  street_id: string | null;
  community_id: string | null;
  grid_id: string | null;
  message: string;
  count: number;
  first_seen: Date;
  last_seen: Date;
  cleared_at: Date | null;
  ack_by: string | null;
  ack_at: Date | null;
  ack_remark: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  ack_due_at: Date;
  overdue: boolean;
  lon: number | null;
  lat: number | null;
}

export interface HistoryRecord {
  alert_id: string;
  at: Date;
  action: AlertHistoryEntry['action'];
  by_user: string | null;
  remark: string | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAlert(r: AlertRecord): Alert {
  return {
    id: r.id,
    cause: r.cause,
    severity: r.severity,
    state: r.state,
    deviceId: r.device_id,
    deviceKind: r.device_kind,
    deviceIds: r.device_ids,
    site: r.site,
    path: { district: r.district_id, street: r.street_id, community: r.community_id, grid: r.grid_id },
    message: r.message,
    count: r.count,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    clearedAt: iso(r.cleared_at),
    ackBy: r.ack_by,
    ackAt: iso(r.ack_at),
    ackRemark: r.ack_remark,
    resolvedBy: r.resolved_by,
    resolvedAt: iso(r.resolved_at),
    ackDueAt: r.ack_due_at.toISOString(),
    overdue: r.overdue,
    lon: r.lon,
    lat: r.lat,
  };
}

export function toHistoryEntry(
  h: Pick<HistoryRecord, 'at' | 'action' | 'by_user' | 'remark'>,
): AlertHistoryEntry {
  return { at: h.at.toISOString(), action: h.action, by: h.by_user, remark: h.remark };
}
