import type { DeviceKind, RegionPath } from '@gridwatch/devices';
import type { Finding } from '../detection/core/types.ts';
import type { AlertRecord, HistoryRecord } from './record.ts';
import { type AckLimits, ackDueAt, worseSeverity } from './severity.ts';

/** What an alert needs to know of its device. */
export interface DeviceInfo {
  id: string;
  kind: DeviceKind;
  site: string | null;
  lon: number | null;
  lat: number | null;
  path: RegionPath;
}

export interface Plan {
  created: AlertRecord[];
  changed: AlertRecord[];
  history: HistoryRecord[];
  /** Alerts repeated in this batch: the summary row (latest time, count). */
  repeats: Map<string, { at: Date; count: number }>;
  /** Alerts whose change matters at once (new, escalated, cleared, resolved, returned). */
  significant: Set<string>;
  /** Raise findings for devices the database does not know. */
  unknownDevices: string[];
}

export const alertKey = (deviceId: string, cause: string) => `${deviceId}\u0000${cause}`;

/**
 * Pure: applies `findings` in order to the open alerts (keyed by device and cause) and
 * says what to write. `open` is updated in place. Repeats only count; a clear marks the
 * alert cleared and resolves it if it was already acknowledged, else leaves it active so
 * it is still seen and acknowledged.
 */
export function planFindings(
  findings: readonly Finding[],
  open: Map<string, AlertRecord>,
  devices: ReadonlyMap<string, DeviceInfo>,
  limits: AckLimits,
  newId: () => string,
): Plan {
  const plan: Plan = {
    created: [],
    changed: [],
    history: [],
    repeats: new Map(),
    significant: new Set(),
    unknownDevices: [],
  };
  const createdIds = new Set<string>();
  const changedIds = new Set<string>();
  const touch = (a: AlertRecord) => {
    if (createdIds.has(a.id) || changedIds.has(a.id)) return;
    changedIds.add(a.id);
    plan.changed.push(a);
  };
  const log = (a: AlertRecord, at: Date, action: HistoryRecord['action'], remark: string | null = null) =>
    plan.history.push({ alert_id: a.id, at, action, by_user: null, remark });

  for (const f of findings) {
    const key = alertKey(f.deviceId, f.cause);
    const at = new Date(f.at);
    const alert = open.get(key);
    if (f.action === 'raise') {
      if (!alert) {
        const device = devices.get(f.deviceId);
        if (!device) {
          plan.unknownDevices.push(f.deviceId);
          continue;
        }
        const created: AlertRecord = {
          id: newId(),
          cause: f.cause,
          severity: f.severity,
          state: 'active',
          device_id: f.deviceId,
          device_kind: device.kind,
          device_ids: [...new Set(f.deviceIds?.length ? [f.deviceId, ...f.deviceIds] : [f.deviceId])],
          site: device.site,
          district_id: device.path.district,
          street_id: device.path.street,
          community_id: device.path.community,
          grid_id: device.path.grid,
          message: f.message,
          count: 1,
          first_seen: at,
          last_seen: at,
          cleared_at: null,
          ack_by: null,
          ack_at: null,
          ack_remark: null,
          resolved_by: null,
          resolved_at: null,
          ack_due_at: new Date(ackDueAt(f.at, f.severity, limits)),
          overdue: false,
          lon: device.lon,
          lat: device.lat,
        };
        open.set(key, created);
        createdIds.add(created.id);
        plan.created.push(created);
        plan.significant.add(created.id);
        log(created, at, 'raised', null);
        continue;
      }
      alert.count += 1;
      if (at > alert.last_seen) alert.last_seen = at;
      alert.message = f.message;
      for (const id of f.deviceIds ?? []) if (!alert.device_ids.includes(id)) alert.device_ids.push(id);
      if (alert.cleared_at) {
        // The condition came back before anyone closed the alert: it is live again.
        alert.cleared_at = null;
        plan.significant.add(alert.id);
      }
      const worse = worseSeverity(alert.severity, f.severity);
      if (worse !== alert.severity) {
        log(alert, at, 'escalated', `${alert.severity} → ${worse}`);
        alert.severity = worse;
        const due = ackDueAt(alert.first_seen.getTime(), worse, limits);
        if (due < alert.ack_due_at.getTime()) alert.ack_due_at = new Date(due);
        plan.significant.add(alert.id);
      }
      plan.repeats.set(alert.id, { at: alert.last_seen, count: alert.count });
      touch(alert);
      continue;
    }
    // clear
    if (!alert || alert.cleared_at) continue;
    alert.cleared_at = at;
    log(alert, at, 'cleared', null);
    if (alert.state === 'acknowledged') {
      alert.state = 'resolved';
      alert.resolved_at = at;
      log(alert, at, 'resolved', 'condition cleared after acknowledgement');
      // A later raise in the same batch opens a new alert.
      open.delete(key);
    }
    plan.significant.add(alert.id);
    touch(alert);
  }
  return plan;
}
