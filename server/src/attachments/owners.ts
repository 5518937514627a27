import type { User } from '@gridwatch/devices';

/**
 * Decides whether `user` may see (`read`) or add to (`write`) the attachments of one owner,
 * e.g. one alert or one case. Throwing a 404 error says the owner does not exist.
 */
export type OwnerAccess = (user: User, ownerId: string, mode: 'read' | 'write') => boolean | Promise<boolean>;

export interface OwnerRegistration {
  access: OwnerAccess;
  /**
   * Days an attachment of this owner type is kept; 0 keeps it forever. Overridden by
   * `ATTACHMENT_RETENTION_DAYS`. @default 0
   */
  retentionDays?: number;
}
