import { type Static, type TSchema, Type } from 'typebox';
import { RegionPath } from './api.ts';

/**
 * Contracts of the case domain (事件闭环): the loop's states and actions and where a case
 * comes from.
 */

/**
 * The nine-step loop as states. `returned` (退回) is a case the handling unit sent back to
 * the dispatcher; `reopened` (重办) is one sent back to its handlers after a failed
 * verification or a complaint after closing. `rejected` and `closed` are final (a closed
 * case can still be reopened).
 */
export const CASE_STATES = [
  'reported',
  'accepted',
  'rejected',
  'dispatched',
  'received',
  'in-progress',
  'feedback-submitted',
  'verified',
  'closed',
  'returned',
  'reopened',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** Everything a person (or the system) may do to a case. */
export const CASE_ACTIONS = [
  'accept',
  'reject',
  'dispatch',
  'receive',
  'return',
  'start',
  'submit-feedback',
  'verify',
  'close',
  'reopen',
  'transfer',
  'add-co-handler',
  'rate',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** Where a case came from (一口受理: one queue for all of them). */
export const CASE_SOURCES = ['alert', 'patrol', 'resident', 'hotline', 'assignment'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Iso = Type.String({ description: 'ISO 8601 timestamp' });

/** Who reported or acted: a user (by username), a resident, a hotline system (by id), or the system (rules). */
export const CASE_ACTOR_KINDS = ['user', 'resident', 'hotline', 'system'] as const;
export type CaseActorKind = (typeof CASE_ACTOR_KINDS)[number];

/** A resident's contact: in full for those handling the case, masked (`张*`, `138****1234`) for everyone else. */
export const CaseContact = Type.Object({
  name: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  masked: Type.Boolean(),
});
export type CaseContact = Static<typeof CaseContact>;

export const Case = Type.Object({
  id: Type.String(),
  /** Short number to read out on the phone. */
  number: Type.Integer(),
  source: Type.Enum(CASE_SOURCES),
  state: Type.Enum(CASE_STATES),
  /** Send it back with every transition; a newer one on the server means someone acted first (409). */
  version: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  /** Matter item code and the catalogue version the case was opened under. */
  matterItem: Nullable(Type.String()),
  matterVersion: Nullable(Type.Integer()),
  photoRequired: Type.Boolean(),
  verificationRequired: Type.Boolean(),
  lon: Nullable(Type.Number()),
  lat: Nullable(Type.Number()),
  path: RegionPath,
  /** The unit leading the work, its assignee, and co-handling units (协调联动). */
  unitId: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  coUnitIds: Type.Array(Type.String()),
  reporterKind: Type.Enum(CASE_ACTOR_KINDS),
  reporterId: Nullable(Type.String()),
  contact: Nullable(CaseContact),
  alertId: Nullable(Type.String()),
  deviceIds: Type.Array(Type.String()),
  hotlineSystem: Nullable(Type.String()),
  externalRef: Nullable(Type.String()),
  /** The resident's rating (满意度), 1–5. */
  satisfaction: Nullable(Type.Integer()),
  reportedAt: Iso,
  updatedAt: Iso,
  closedAt: Nullable(Iso),
});
export type Case = Static<typeof Case>;

/** One step of a case: who, when, from which state to which, what changed, and the remark. */
export const CaseTransition = Type.Object({
  at: Iso,
  action: Type.String(),
  from: Nullable(Type.Enum(CASE_STATES)),
  to: Type.Enum(CASE_STATES),
  byKind: Type.Enum(CASE_ACTOR_KINDS),
  by: Nullable(Type.String()),
  /** Field → [before, after]. */
  changes: Type.Record(Type.String(), Type.Unknown()),
  remark: Nullable(Type.String()),
  attachmentIds: Type.Array(Type.String()),
});
export type CaseTransition = Static<typeof CaseTransition>;

export const CaseDuplicate = Type.Object({
  caseId: Type.String(),
  number: Type.Integer(),
  state: Type.Enum(CASE_STATES),
  score: Type.Number(),
  reason: Type.String(),
  decision: Nullable(Type.Enum(['merged', 'distinct'])),
});
export type CaseDuplicate = Static<typeof CaseDuplicate>;

/** Where the routing rules would send the case (the dispatcher may choose otherwise). */
export const CaseRouteSuggestion = Type.Object({
  unitId: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  leadDepartmentId: Nullable(Type.String()),
  reason: Type.String(),
});
export type CaseRouteSuggestion = Static<typeof CaseRouteSuggestion>;

/** `GET /api/cases/:id` */
export const CaseDetail = Type.Object({
  ...Case.properties,
  transitions: Type.Array(CaseTransition),
  /** Likely duplicates proposed when it was opened (this case is the newer one). */
  duplicates: Type.Array(CaseDuplicate),
  /** What the caller may do now (the case page's buttons). */
  allowedActions: Type.Array(Type.Enum(CASE_ACTIONS)),
  suggestion: Nullable(CaseRouteSuggestion),
});
export type CaseDetail = Static<typeof CaseDetail>;

/** `GET /api/cases`: newest change first. */
export const CaseList = Type.Object({
  items: Type.Array(Case),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
export type CaseList = Static<typeof CaseList>;

/** What a resident sees through their status link: no names of staff, no contact. */
export const ResidentCaseStatus = Type.Object({
  number: Type.Integer(),
  state: Type.Enum(CASE_STATES),
  title: Type.String(),
  reportedAt: Iso,
  updatedAt: Iso,
  closedAt: Nullable(Iso),
  satisfaction: Nullable(Type.Integer()),
  /** Steps so far: when and which state, the remark only for rejections and feedback. */
  steps: Type.Array(Type.Object({ at: Iso, to: Type.Enum(CASE_STATES), remark: Nullable(Type.String()) })),
  canRate: Type.Boolean(),
});
export type ResidentCaseStatus = Static<typeof ResidentCaseStatus>;
