import type { Case, CaseActorKind, CaseSource, CaseState, CaseTransition } from '@gridwatch/devices';
import type { Actor, CaseFacts } from './core/machine.ts';
import { type ContactFacts, contactFor } from './core/privacy.ts';

/** A `cases` row as the database returns it. */
export interface CaseRow {
  id: string;
  number: number;
  source: CaseSource;
  state: CaseState;
  version: number;
  title: string;
  description: string;
  matter_item: string | null;
  matter_version: number | null;
  tier: 'grid' | 'community' | 'street' | 'district' | null;
  lead_department: string | null;
  photo_required: boolean;
  verification_required: boolean;
  lon: number | null;
  lat: number | null;
  district_id: string | null;
  street_id: string | null;
  community_id: string | null;
  grid_id: string | null;
  unit_id: string | null;
  assignee_id: string | null;
  co_unit_ids: string[];
  handler_ids: string[];
  participant_ids: string[];
  reporter_kind: CaseActorKind;
  reporter_id: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  alert_id: string | null;
  device_ids: string[];
  hotline_system: string | null;
  external_ref: string | null;
  satisfaction: number | null;
  reported_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export interface TransitionRow {
  case_id: string;
  at: Date;
  action: string;
  from_state: CaseState | null;
  to_state: CaseState;
  by_kind: CaseActorKind;
  by_user: string | null;
  changes: Record<string, unknown>;
  remark: string | null;
  attachment_ids: string[];
}

export const factsOf = (row: CaseRow): CaseFacts & ContactFacts => ({
  state: row.state,
  unitId: row.unit_id,
  assigneeId: row.assignee_id,
  coUnitIds: row.co_unit_ids,
  handlerIds: row.handler_ids,
  participantIds: row.participant_ids,
  photoRequired: row.photo_required,
  verificationRequired: row.verification_required,
  satisfaction: row.satisfaction,
});

/** Nobody: sees every contact masked (broadcasts, exports). */
export const NOBODY: Actor = { id: '\u0000nobody', roles: [], unitId: null };

/** The case as `viewer` may see it: the resident's contact masked unless they handle it. */
export function toCase(row: CaseRow, viewer: Actor): Case {
  const hasContact = row.contact_name !== null || row.contact_phone !== null;
  return {
    id: row.id,
    number: row.number,
    source: row.source,
    state: row.state,
    version: row.version,
    title: row.title,
    description: row.description,
    matterItem: row.matter_item,
    matterVersion: row.matter_version,
    photoRequired: row.photo_required,
    verificationRequired: row.verification_required,
    lon: row.lon,
    lat: row.lat,
    path: {
      district: row.district_id,
      street: row.street_id,
      community: row.community_id,
      grid: row.grid_id,
    },
    unitId: row.unit_id,
    assigneeId: row.assignee_id,
    coUnitIds: row.co_unit_ids,
    reporterKind: row.reporter_kind,
    reporterId: row.reporter_kind === 'resident' ? null : row.reporter_id,
    contact: hasContact
      ? contactFor(viewer, factsOf(row), { name: row.contact_name, phone: row.contact_phone })
      : null,
    alertId: row.alert_id,
    deviceIds: row.device_ids,
    hotlineSystem: row.hotline_system,
    externalRef: row.external_ref,
    satisfaction: row.satisfaction,
    reportedAt: row.reported_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}

export function toTransition(row: TransitionRow): CaseTransition {
  return {
    at: row.at.toISOString(),
    action: row.action,
    from: row.from_state,
    to: row.to_state,
    byKind: row.by_kind,
    by: row.by_kind === 'resident' ? null : row.by_user,
    changes: row.changes,
    remark: row.remark,
    attachmentIds: row.attachment_ids,
  };
}
