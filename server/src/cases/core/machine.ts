import type { CaseAction, CaseState } from '@gridwatch/devices';

/**
 * The case loop as one pure state machine: `decide(facts, action, actor, payload)` says
 * whether this actor may do this now and, if so, the resulting state and what changes. No
 * I/O, no clock: the service loads the facts, asks, and writes what it is told.
 *
 * Checks run in a fixed order so the answer is predictable: the actor's roles (403), the
 * case's state (409), the actor's relation to the case (403), then the payload (400).
 */

/** Roles that take the calls and send the work out (centre staff). */
export const DISPATCHING_ROLES = ['dispatcher', 'commander'] as const;
/** Roles that do the work on the ground or in a department. */
export const HANDLING_ROLES = ['handler', 'grid-officer', 'officer'] as const;
/** Roles that may check a result; never on a case they handled themselves. */
export const VERIFYING_ROLES = ['verifier', 'grid-officer', 'dispatcher', 'commander'] as const;
/** Roles that may close a verified case. */
export const CLOSING_ROLES = ['dispatcher', 'commander', 'verifier'] as const;
/** Pseudo-role of the holder of a resident report's status token. */
export const RESIDENT_ROLE = 'resident';

export const REASON_MAX = 1000;

/** Who acts. The system (automatic intake) acts as a dispatcher with id `system`. */
export interface Actor {
  id: string;
  roles: readonly string[];
  /** The unit the user belongs to, if any. */
  unitId: string | null;
}

/** What the machine needs to know about a case. */
export interface CaseFacts {
  state: CaseState;
  /** The unit leading the work (null before dispatch and after a return). */
  unitId: string | null;
  assigneeId: string | null;
  /** Co-handling units (协调联动). */
  coUnitIds: readonly string[];
  /** Users who received, started or reported back on the case: they may not verify it. */
  handlerIds: readonly string[];
  /** From the matter item the case was opened under. */
  photoRequired: boolean;
  verificationRequired: boolean;
  /** 1–5 once the resident has rated the result. */
  satisfaction: number | null;
}

export interface ActionPayload {
  /** Free text recorded with the step; the reason for reject, return, transfer and reopen. */
  remark?: string;
  /** Target unit of dispatch, transfer and add-co-handler. */
  unitId?: string;
  assigneeId?: string | null;
  coUnitIds?: readonly string[];
  /** Attachments on feedback (photos). */
  attachmentIds?: readonly string[];
  /** Resident's rating, 1 (very unhappy) to 5 (very satisfied). */
  satisfaction?: number;
}

/** Fields of the case an allowed action changes (absent = unchanged). */
export interface CaseChanges {
  unitId?: string | null;
  assigneeId?: string | null;
  coUnitIds?: string[];
  handlerIds?: string[];
  satisfaction?: number;
}

export type Decision =
  | { ok: true; to: CaseState; changes: CaseChanges }
  | { ok: false; status: 400 | 403 | 409; reason: string };

type Who = 'dispatching' | 'handling' | 'verifying' | 'closing' | 'resident' | 'co-handling';

interface Rule {
  /** States the action may start from. */
  from: readonly CaseState[];
  who: Who;
  /** The state afterwards; `null` keeps the current one. */
  to: CaseState | null;
}

/** The transition table: one row per action. */
export const RULES: Record<CaseAction, Rule> = {
  accept: { from: ['reported'], who: 'dispatching', to: 'accepted' },
  reject: { from: ['reported'], who: 'dispatching', to: 'rejected' },
  dispatch: { from: ['accepted', 'returned', 'reopened'], who: 'dispatching', to: 'dispatched' },
  receive: { from: ['dispatched'], who: 'handling', to: 'received' },
  return: { from: ['dispatched', 'received'], who: 'handling', to: 'returned' },
  start: { from: ['received', 'reopened'], who: 'handling', to: 'in-progress' },
  'submit-feedback': { from: ['in-progress'], who: 'handling', to: 'feedback-submitted' },
  verify: { from: ['feedback-submitted'], who: 'verifying', to: 'verified' },
  close: { from: ['verified', 'feedback-submitted'], who: 'closing', to: 'closed' },
  reopen: { from: ['feedback-submitted', 'verified', 'closed'], who: 'verifying', to: 'reopened' },
  transfer: { from: ['dispatched', 'received', 'in-progress'], who: 'dispatching', to: 'dispatched' },
  'add-co-handler': {
    from: ['dispatched', 'received', 'in-progress', 'reopened'],
    who: 'co-handling',
    to: null,
  },
  rate: { from: ['closed'], who: 'resident', to: null },
};

const has = (actor: Actor, roles: readonly string[]) => actor.roles.some((r) => roles.includes(r));
const refuse = (status: 400 | 403 | 409, reason: string): Decision => ({ ok: false, status, reason });
const text = (s: string | undefined) => (typeof s === 'string' ? s.trim() : '');

/** A member of the lead unit or the assignee. */
export function onHandlingSide(facts: CaseFacts, actor: Actor): boolean {
  return actor.id === facts.assigneeId || (facts.unitId !== null && actor.unitId === facts.unitId);
}

function hasRoleFor(who: Who, actor: Actor): boolean {
  switch (who) {
    case 'dispatching':
      return has(actor, DISPATCHING_ROLES);
    case 'handling':
      return has(actor, HANDLING_ROLES);
    case 'verifying':
      return has(actor, VERIFYING_ROLES);
    case 'closing':
      return has(actor, CLOSING_ROLES);
    case 'resident':
      return actor.roles.includes(RESIDENT_ROLE);
    case 'co-handling':
      return has(actor, DISPATCHING_ROLES) || has(actor, HANDLING_ROLES);
  }
}

const ROLE_NAMES: Record<Who, string> = {
  dispatching: DISPATCHING_ROLES.join(' or '),
  handling: HANDLING_ROLES.join(' or '),
  verifying: VERIFYING_ROLES.join(' or '),
  closing: CLOSING_ROLES.join(' or '),
  resident: 'the reporting resident',
  'co-handling': [...DISPATCHING_ROLES, ...HANDLING_ROLES].join(' or '),
};

function requireReason(action: CaseAction, payload: ActionPayload): Decision | null {
  const reason = text(payload.remark);
  if (!reason) return refuse(400, `remark: a reason is required to ${action} a case`);
  if (reason.length > REASON_MAX) return refuse(400, `remark: longer than ${REASON_MAX} characters`);
  return null;
}

const withHandler = (facts: CaseFacts, actor: Actor): string[] =>
  facts.handlerIds.includes(actor.id) ? [...facts.handlerIds] : [...facts.handlerIds, actor.id];

/** Is this action, by this actor, with this payload, allowed on a case in this state now? */
export function decide(
  facts: CaseFacts,
  action: CaseAction,
  actor: Actor,
  payload: ActionPayload = {},
): Decision {
  const rule = RULES[action];
  if (!rule) return refuse(400, `action: unknown action '${String(action)}'`);
  if (!hasRoleFor(rule.who, actor)) return refuse(403, `${action} needs the role ${ROLE_NAMES[rule.who]}`);
  if (!rule.from.includes(facts.state)) {
    return refuse(
      409,
      `cannot ${action} a case that is ${facts.state} (allowed from ${rule.from.join(', ')})`,
    );
  }
  const remark = text(payload.remark);
  if (remark.length > REASON_MAX) return refuse(400, `remark: longer than ${REASON_MAX} characters`);
  const to = rule.to ?? facts.state;

  switch (action) {
    case 'accept':
      return { ok: true, to, changes: {} };

    case 'reject':
      return requireReason(action, payload) ?? { ok: true, to, changes: {} };

    case 'dispatch': {
      const unitId = text(payload.unitId);
      if (!unitId) return refuse(400, 'unitId: the unit to dispatch to is required');
      const coUnitIds = [...new Set(payload.coUnitIds ?? [])].filter((u) => u !== unitId);
      // A case sent back to the same unit after 重办 keeps the handlers who must not verify it.
      return {
        ok: true,
        to,
        changes: { unitId, assigneeId: payload.assigneeId ?? null, coUnitIds },
      };
    }

    case 'transfer': {
      const unitId = text(payload.unitId);
      if (!unitId) return refuse(400, 'unitId: the unit to transfer to is required');
      if (unitId === facts.unitId) return refuse(400, `unitId: the case is already with ${unitId}`);
      const bad = requireReason(action, payload);
      if (bad) return bad;
      return {
        ok: true,
        to,
        changes: {
          unitId,
          assigneeId: payload.assigneeId ?? null,
          coUnitIds: facts.coUnitIds.filter((u) => u !== unitId),
        },
      };
    }

    case 'receive':
    case 'start':
      if (!onHandlingSide(facts, actor)) {
        return refuse(
          403,
          `only the handling unit ${facts.unitId ?? '(none)'} or the assignee may ${action} this case`,
        );
      }
      return {
        ok: true,
        to,
        changes: { handlerIds: withHandler(facts, actor), assigneeId: facts.assigneeId ?? actor.id },
      };

    case 'return': {
      if (!onHandlingSide(facts, actor)) {
        return refuse(
          403,
          `only the handling unit ${facts.unitId ?? '(none)'} or the assignee may return this case`,
        );
      }
      const bad = requireReason(action, payload);
      if (bad) return bad;
      // Back to the dispatcher: no unit leads it until it is dispatched again.
      return { ok: true, to, changes: { unitId: null, assigneeId: null, coUnitIds: [] } };
    }

    case 'submit-feedback': {
      if (!onHandlingSide(facts, actor)) {
        return refuse(
          403,
          `only the handling unit ${facts.unitId ?? '(none)'} or the assignee may report back`,
        );
      }
      if (!remark) return refuse(400, 'remark: describe what was done');
      if (facts.photoRequired && (payload.attachmentIds ?? []).length === 0) {
        return refuse(400, 'attachmentIds: this matter item requires a photo with the feedback');
      }
      return { ok: true, to, changes: { handlerIds: withHandler(facts, actor) } };
    }

    case 'verify':
      if (facts.handlerIds.includes(actor.id) || actor.id === facts.assigneeId) {
        return refuse(403, 'a case is verified by someone other than its handler');
      }
      return { ok: true, to, changes: {} };

    case 'close':
      if (facts.state === 'feedback-submitted' && facts.verificationRequired) {
        return refuse(
          409,
          'cannot close a case that is feedback-submitted: its matter item requires verification first',
        );
      }
      return { ok: true, to, changes: {} };

    case 'reopen': {
      if (facts.state === 'feedback-submitted') {
        // A failed verification: the same rule as verifying.
        if (facts.handlerIds.includes(actor.id) || actor.id === facts.assigneeId) {
          return refuse(403, 'a case is verified by someone other than its handler');
        }
      } else if (!has(actor, DISPATCHING_ROLES)) {
        return refuse(403, `reopen a ${facts.state} case needs the role ${ROLE_NAMES.dispatching}`);
      }
      return requireReason(action, payload) ?? { ok: true, to, changes: {} };
    }

    case 'add-co-handler': {
      if (!has(actor, DISPATCHING_ROLES) && !onHandlingSide(facts, actor)) {
        return refuse(403, 'only a dispatcher or the handling unit may call in another unit');
      }
      const unitId = text(payload.unitId);
      if (!unitId) return refuse(400, 'unitId: the co-handling unit is required');
      if (unitId === facts.unitId) return refuse(400, `unitId: ${unitId} already leads this case`);
      if (facts.coUnitIds.includes(unitId)) return refuse(409, `${unitId} already co-handles this case`);
      return { ok: true, to, changes: { coUnitIds: [...facts.coUnitIds, unitId] } };
    }

    case 'rate': {
      if (facts.satisfaction !== null) return refuse(409, 'the result has already been rated');
      const s = payload.satisfaction;
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > 5) {
        return refuse(400, 'satisfaction: an integer from 1 to 5 is required');
      }
      return { ok: true, to, changes: { satisfaction: s } };
    }
  }
}

/** Actions this actor could take on this case now, ignoring payload (for the case page's buttons). */
export function allowedActions(facts: CaseFacts, actor: Actor): CaseAction[] {
  return (Object.keys(RULES) as CaseAction[]).filter((action) => {
    const d = decide(facts, action, actor, PROBE);
    return d.ok || d.status === 400;
  });
}

/** A payload that passes the reason checks, so `allowedActions` only sees role/state/relation refusals. */
const PROBE: ActionPayload = {
  remark: 'probe',
  unitId: '\u0000probe',
  attachmentIds: ['probe'],
  satisfaction: 5,
};
