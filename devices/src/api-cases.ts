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
