import { CASE_ACTIONS, CASE_STATES, type CaseAction, type CaseState } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { type ActionPayload, type Actor, allowedActions, type CaseFacts, decide } from './machine.ts';

// Builders: a case led by the community centre, assigned to grid officer go-1.
const aCase = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  state: 'reported',
  unitId: 'centre:c01',
  assigneeId: 'go-1',
  coUnitIds: [],
  handlerIds: [],
  photoRequired: false,
  verificationRequired: true,
  satisfaction: null,
  ...over,
});
const anActor = (id: string, roles: string[], unitId: string | null = null): Actor => ({ id, roles, unitId });

const dispatcher = anActor('disp', ['dispatcher'], 'centre:d01');
const assignee = anActor('go-1', ['grid-officer'], 'centre:c01');
const colleague = anActor('h-2', ['handler'], 'centre:c01');
const outsider = anActor('h-9', ['handler'], 'centre:c99');
const verifier = anActor('ver', ['verifier'], 'centre:c01');
const resident = anActor('resident', ['resident']);
const viewer = anActor('wall', ['viewer']);

/** A payload that satisfies every action's requirements. */
const full: ActionPayload = {
  remark: 'because',
  unitId: 'dept:fire',
  attachmentIds: ['a1'],
  satisfaction: 4,
};

/**
 * The expected table, written out by hand (not derived from the machine's RULES): every
 * state each action may start from, the state it leads to, and an actor entitled to do it.
 */
const ALLOWED: Array<[CaseAction, CaseState, CaseState, Actor]> = [
  ['accept', 'reported', 'accepted', dispatcher],
  ['reject', 'reported', 'rejected', dispatcher],
  ['dispatch', 'accepted', 'dispatched', dispatcher],
  ['dispatch', 'returned', 'dispatched', dispatcher],
  ['dispatch', 'reopened', 'dispatched', dispatcher],
  ['receive', 'dispatched', 'received', assignee],
  ['return', 'dispatched', 'returned', assignee],
  ['return', 'received', 'returned', assignee],
  ['start', 'received', 'in-progress', assignee],
  ['start', 'reopened', 'in-progress', assignee],
  ['submit-feedback', 'in-progress', 'feedback-submitted', assignee],
  ['verify', 'feedback-submitted', 'verified', verifier],
  ['close', 'verified', 'closed', dispatcher],
  ['reopen', 'feedback-submitted', 'reopened', verifier],
  ['reopen', 'verified', 'reopened', dispatcher],
  ['reopen', 'closed', 'reopened', dispatcher],
  ['transfer', 'dispatched', 'dispatched', dispatcher],
  ['transfer', 'received', 'dispatched', dispatcher],
  ['transfer', 'in-progress', 'dispatched', dispatcher],
  ['add-co-handler', 'dispatched', 'dispatched', dispatcher],
  ['add-co-handler', 'received', 'received', dispatcher],
  ['add-co-handler', 'in-progress', 'in-progress', dispatcher],
  ['add-co-handler', 'reopened', 'reopened', dispatcher],
  ['rate', 'closed', 'closed', resident],
];

/** The one actor per action used for the refused-state sweep (holds the right role and relation). */
const ENTITLED: Record<CaseAction, Actor> = Object.fromEntries(
  ALLOWED.map(([a, , , who]) => [a, who]),
) as Record<CaseAction, Actor>;

describe('every allowed transition', () => {
  it.each(ALLOWED)('%s from %s → %s', (action, from, to, actor) => {
    const d = decide(aCase({ state: from }), action, actor, full);
    expect(d).toMatchObject({ ok: true, to });
  });
});

describe('every refused (action, state) pair answers 409 with a reason', () => {
  const pairs: Array<[CaseAction, CaseState]> = [];
  for (const action of CASE_ACTIONS) {
    for (const state of CASE_STATES) {
      if (!ALLOWED.some(([a, s]) => a === action && s === state)) pairs.push([action, state]);
    }
  }
  it('covers the whole table', () => {
    expect(pairs.length + ALLOWED.length).toBe(CASE_ACTIONS.length * CASE_STATES.length);
    expect(pairs.length).toBeGreaterThan(100);
  });
  it.each(pairs)('%s from %s', (action, state) => {
    const d = decide(aCase({ state }), action, ENTITLED[action], full);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.status).toBe(409);
    expect(d.reason).toContain(`cannot ${action} a case that is ${state}`);
  });
});

describe('roles: an actor without the role gets 403 in every state', () => {
  // For each action, actors that lack every role it needs.
  const WRONG: Record<CaseAction, Actor[]> = {
    accept: [viewer, assignee, verifier, resident],
    reject: [viewer, assignee, verifier, resident],
    dispatch: [viewer, assignee, verifier, resident],
    receive: [viewer, dispatcher, verifier, resident],
    return: [viewer, dispatcher, verifier, resident],
    start: [viewer, dispatcher, verifier, resident],
    'submit-feedback': [viewer, dispatcher, verifier, resident],
    verify: [viewer, colleague, resident],
    close: [viewer, assignee, colleague, resident],
    reopen: [viewer, colleague, resident],
    transfer: [viewer, assignee, verifier, resident],
    'add-co-handler': [viewer, verifier, resident],
    rate: [viewer, dispatcher, assignee, verifier],
  };
  const cases = CASE_ACTIONS.flatMap((action) =>
    WRONG[action].flatMap((actor) => CASE_STATES.map((state) => [action, actor.id, state] as const)),
  );
  it.each(cases)('%s by %s when %s', (action, actorId, state) => {
    const actor = WRONG[action].find((a) => a.id === actorId)!;
    const d = decide(aCase({ state }), action, actor, full);
    expect(d).toMatchObject({ ok: false, status: 403 });
  });
});

describe('relations to the case', () => {
  it.each(['receive', 'start', 'submit-feedback', 'return'] as const)(
    '%s by a handler of another unit is 403',
    (action) => {
      const state = ALLOWED.find(([a]) => a === action)![1];
      const d = decide(aCase({ state }), action, outsider, full);
      expect(d).toMatchObject({ ok: false, status: 403 });
      if (!d.ok) expect(d.reason).toContain('centre:c01');
    },
  );

  it('a colleague in the handling unit may receive a case assigned to someone else', () => {
    expect(decide(aCase({ state: 'dispatched' }), 'receive', colleague)).toMatchObject({ ok: true });
  });

  it('the assignee may act even when their unit is another (a grid officer on loan)', () => {
    const loaned = anActor('go-1', ['grid-officer'], 'centre:c02');
    expect(decide(aCase({ state: 'dispatched' }), 'receive', loaned)).toMatchObject({ ok: true });
  });

  it('receiving records the handler and assigns the case to them when nobody was', () => {
    const d = decide(aCase({ state: 'dispatched', assigneeId: null }), 'receive', colleague);
    expect(d).toEqual({ ok: true, to: 'received', changes: { handlerIds: ['h-2'], assigneeId: 'h-2' } });
  });

  it('the handler cannot verify their own work, even holding the verifier role', () => {
    const both = anActor('go-1', ['grid-officer', 'verifier'], 'centre:c01');
    const facts = aCase({ state: 'feedback-submitted', handlerIds: ['go-1'] });
    expect(decide(facts, 'verify', both)).toMatchObject({ ok: false, status: 403 });
    expect(decide(facts, 'reopen', both, { remark: 'redo' })).toMatchObject({ ok: false, status: 403 });
  });

  it('someone who helped handle (not the assignee) cannot verify either', () => {
    const helper = anActor('h-2', ['handler', 'verifier'], 'centre:c01');
    const facts = aCase({ state: 'feedback-submitted', handlerIds: ['go-1', 'h-2'] });
    expect(decide(facts, 'verify', helper)).toMatchObject({ ok: false, status: 403 });
  });

  it('another grid officer (the reporting one) may verify', () => {
    const reporter = anActor('go-7', ['grid-officer'], 'centre:c01');
    const facts = aCase({ state: 'feedback-submitted', handlerIds: ['go-1'] });
    expect(decide(facts, 'verify', reporter)).toMatchObject({ ok: true, to: 'verified' });
  });

  it('only dispatchers reopen a verified or closed case; a verifier is refused', () => {
    for (const state of ['verified', 'closed'] as const) {
      expect(decide(aCase({ state }), 'reopen', verifier, { remark: 'complaint' })).toMatchObject({
        ok: false,
        status: 403,
      });
    }
  });

  it('the handling unit may call in a co-handler; a handler of another unit may not', () => {
    expect(
      decide(aCase({ state: 'in-progress' }), 'add-co-handler', colleague, { unitId: 'dept:police' }),
    ).toEqual({
      ok: true,
      to: 'in-progress',
      changes: { coUnitIds: ['dept:police'] },
    });
    expect(
      decide(aCase({ state: 'in-progress' }), 'add-co-handler', outsider, { unitId: 'dept:police' }),
    ).toMatchObject({ ok: false, status: 403 });
  });
});

describe('payloads', () => {
  const REASON_NEEDED: Array<[CaseAction, CaseState, Actor]> = [
    ['reject', 'reported', dispatcher],
    ['return', 'received', assignee],
    ['transfer', 'in-progress', dispatcher],
    ['reopen', 'feedback-submitted', verifier],
    ['reopen', 'closed', dispatcher],
  ];
  it.each(REASON_NEEDED)('%s from %s without a reason is 400 naming remark', (action, state, actor) => {
    for (const remark of [undefined, '', '   ']) {
      const d = decide(aCase({ state }), action, actor, { unitId: 'dept:fire', remark });
      expect(d).toMatchObject({ ok: false, status: 400 });
      if (!d.ok) expect(d.reason).toMatch(/^remark: /);
    }
  });

  it('a remark over 1000 characters is 400', () => {
    const d = decide(aCase({ state: 'reported' }), 'accept', dispatcher, { remark: 'x'.repeat(1001) });
    expect(d).toMatchObject({ ok: false, status: 400 });
  });

  it('dispatch needs a unit; sets unit, assignee and co-handlers (never the lead twice)', () => {
    expect(decide(aCase({ state: 'accepted' }), 'dispatch', dispatcher, {})).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(
      decide(aCase({ state: 'accepted', unitId: null, assigneeId: null }), 'dispatch', dispatcher, {
        unitId: 'centre:c01',
        assigneeId: 'go-1',
        coUnitIds: ['dept:fire', 'centre:c01', 'dept:fire'],
      }),
    ).toEqual({
      ok: true,
      to: 'dispatched',
      changes: { unitId: 'centre:c01', assigneeId: 'go-1', coUnitIds: ['dept:fire'] },
    });
  });

  it('transfer to the unit that already has it is 400; to another moves unit and clears the assignee', () => {
    const facts = aCase({ state: 'received', coUnitIds: ['dept:fire'] });
    expect(decide(facts, 'transfer', dispatcher, { unitId: 'centre:c01', remark: 'x' })).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(decide(facts, 'transfer', dispatcher, { unitId: 'dept:fire', remark: 'fire matter' })).toEqual({
      ok: true,
      to: 'dispatched',
      changes: { unitId: 'dept:fire', assigneeId: null, coUnitIds: [] },
    });
  });

  it('return sends the case back to the dispatcher with no unit', () => {
    expect(decide(aCase({ state: 'received' }), 'return', assignee, { remark: 'not our matter' })).toEqual({
      ok: true,
      to: 'returned',
      changes: { unitId: null, assigneeId: null, coUnitIds: [] },
    });
  });

  it('feedback needs a description, and a photo when the matter item requires one', () => {
    const facts = aCase({ state: 'in-progress', photoRequired: true });
    expect(decide(facts, 'submit-feedback', assignee, { attachmentIds: ['a'] })).toMatchObject({
      ok: false,
      status: 400,
    });
    const noPhoto = decide(facts, 'submit-feedback', assignee, { remark: 'fixed' });
    expect(noPhoto).toMatchObject({ ok: false, status: 400 });
    if (!noPhoto.ok) expect(noPhoto.reason).toMatch(/^attachmentIds: /);
    expect(decide(facts, 'submit-feedback', assignee, { remark: 'fixed', attachmentIds: ['a'] })).toEqual({
      ok: true,
      to: 'feedback-submitted',
      changes: { handlerIds: ['go-1'] },
    });
    expect(
      decide(aCase({ state: 'in-progress' }), 'submit-feedback', assignee, { remark: 'fixed' }),
    ).toMatchObject({ ok: true });
  });

  it('a case whose item needs no verification closes straight from feedback; otherwise 409', () => {
    expect(
      decide(aCase({ state: 'feedback-submitted', verificationRequired: false }), 'close', dispatcher),
    ).toEqual({
      ok: true,
      to: 'closed',
      changes: {},
    });
    const d = decide(aCase({ state: 'feedback-submitted' }), 'close', dispatcher);
    expect(d).toMatchObject({ ok: false, status: 409 });
  });

  it('co-handlers: a unit needed, not the lead, not twice', () => {
    const facts = aCase({ state: 'received', coUnitIds: ['dept:police'] });
    expect(decide(facts, 'add-co-handler', dispatcher, {})).toMatchObject({ ok: false, status: 400 });
    expect(decide(facts, 'add-co-handler', dispatcher, { unitId: 'centre:c01' })).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(decide(facts, 'add-co-handler', dispatcher, { unitId: 'dept:police' })).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it('rating: 1 to 5, once', () => {
    for (const satisfaction of [0, 6, 2.5, undefined]) {
      expect(decide(aCase({ state: 'closed' }), 'rate', resident, { satisfaction })).toMatchObject({
        ok: false,
        status: 400,
      });
    }
    expect(decide(aCase({ state: 'closed' }), 'rate', resident, { satisfaction: 5 })).toEqual({
      ok: true,
      to: 'closed',
      changes: { satisfaction: 5 },
    });
    expect(
      decide(aCase({ state: 'closed', satisfaction: 3 }), 'rate', resident, { satisfaction: 5 }),
    ).toMatchObject({
      ok: false,
      status: 409,
    });
  });
});

describe('a whole loop, returned and reopened on the way', () => {
  it('runs reported → … → closed, with 退回 and 重办', () => {
    let facts = aCase({ unitId: null, assigneeId: null });
    const step = (action: CaseAction, actor: Actor, payload: ActionPayload = {}) => {
      const d = decide(facts, action, actor, payload);
      if (!d.ok) throw new Error(`${action}: ${d.reason}`);
      facts = { ...facts, ...d.changes, state: d.to } as CaseFacts;
      return d.to;
    };
    expect(step('accept', dispatcher)).toBe('accepted');
    expect(step('dispatch', dispatcher, { unitId: 'centre:c02' })).toBe('dispatched');
    expect(step('return', anActor('x', ['handler'], 'centre:c02'), { remark: 'not ours' })).toBe('returned');
    expect(facts.unitId).toBeNull();
    expect(step('dispatch', dispatcher, { unitId: 'centre:c01', assigneeId: 'go-1' })).toBe('dispatched');
    expect(step('receive', assignee)).toBe('received');
    expect(step('start', assignee)).toBe('in-progress');
    expect(step('submit-feedback', assignee, { remark: 'done' })).toBe('feedback-submitted');
    expect(step('reopen', verifier, { remark: 'still blocked' })).toBe('reopened');
    expect(step('start', assignee)).toBe('in-progress');
    expect(step('submit-feedback', assignee, { remark: 'cleared now' })).toBe('feedback-submitted');
    expect(decide(facts, 'verify', assignee)).toMatchObject({ ok: false, status: 403 });
    expect(step('verify', verifier)).toBe('verified');
    expect(step('close', dispatcher)).toBe('closed');
    expect(step('rate', resident, { satisfaction: 5 })).toBe('closed');
    expect(facts.satisfaction).toBe(5);
  });
});

describe('allowedActions', () => {
  it('lists what the case page may offer this user now', () => {
    expect(allowedActions(aCase({ state: 'reported' }), dispatcher)).toEqual(['accept', 'reject']);
    expect(allowedActions(aCase({ state: 'dispatched' }), assignee).sort()).toEqual(
      ['add-co-handler', 'receive', 'return'].sort(),
    );
    expect(allowedActions(aCase({ state: 'dispatched' }), outsider)).toEqual([]);
    expect(allowedActions(aCase({ state: 'closed' }), viewer)).toEqual([]);
  });
});

describe('unknown action', () => {
  it('is 400', () => {
    expect(decide(aCase(), 'fly' as CaseAction, dispatcher)).toMatchObject({ ok: false, status: 400 });
  });
});
