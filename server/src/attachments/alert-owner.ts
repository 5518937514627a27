import type { FastifyInstance } from 'fastify';
import { canAct } from '../auth/access.ts';
import type { OwnerRegistration } from './owners.ts';

/** Days an alert's photos are kept unless ATTACHMENT_RETENTION_DAYS says otherwise. */
export const ALERT_ATTACHMENT_RETENTION_DAYS = 365;

/**
 * Alerts as attachment owners: whoever may see the alert (its region is in theirs) sees
 * its photos; whoever may act on it (not a viewer) may add some. A missing alert is a 404.
 */
export function alertOwner(app: FastifyInstance): OwnerRegistration {
  return {
    retentionDays: ALERT_ATTACHMENT_RETENTION_DAYS,
    async access(user, alertId, mode) {
      try {
        await app.alerts.get(user, alertId);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 403) return false;
        throw err;
      }
      return mode === 'read' || canAct(user);
    },
  };
}
