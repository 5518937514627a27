import type { User } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { canManageDuty, canManageUsers, diff, resolveRoles } from './access.ts';

const aUser = (over: Partial<User> = {}): User => ({
  username: 'u',
  displayName: 'u',
  role: 'commander',
  roles: ['commander'],
  regionId: 'D-S1',
  unitId: null,
  ...over,
});
const IN_S1 = ['D-S1-C1', 'D-S1', 'D'];
const IN_S2 = ['D-S2-C1', 'D-S2', 'D'];

describe('canManageUsers', () => {
  it.each([
    ['a street commander, inside the street', aUser(), IN_S1, true],
    ['a street commander, another street', aUser(), IN_S2, false],
    ['a district commander, any street', aUser({ regionId: 'D' }), IN_S2, true],
    [
      'a street dispatcher, inside the street',
      aUser({ role: 'dispatcher', roles: ['dispatcher'] }),
      IN_S1,
      false,
    ],
    [
      'a verifier who is also a commander',
      aUser({ role: 'verifier', roles: ['verifier', 'commander'] }),
      IN_S1,
      true,
    ],
    ['anyone, an unknown region', aUser(), [], false],
  ])('%s: %s', (_what, me, lineage, expected) => {
    expect(canManageUsers(me, lineage)).toBe(expected);
  });
});

describe('canManageDuty', () => {
  it.each([
    ['dispatcher', IN_S1, true],
    ['dispatcher', IN_S2, false],
    ['commander', IN_S1, true],
    ['officer', IN_S1, false],
    ['viewer', IN_S1, false],
  ] as const)('a street %s, lineage %j: %s', (role, lineage, expected) => {
    expect(canManageDuty(aUser({ role, roles: [role] }), lineage)).toBe(expected);
  });
});

describe('resolveRoles', () => {
  it.each([
    [undefined, ['handler', 'verifier'], ['handler', 'verifier']],
    ['verifier', ['handler', 'verifier'], ['verifier', 'handler']],
    ['officer', undefined, ['officer']],
    [undefined, ['handler', 'handler'], ['handler']],
  ] as const)('role %s with roles %j gives %j', (role, roles, expected) => {
    expect(resolveRoles(role, roles as never)).toEqual(expected);
  });

  it.each([
    [undefined, undefined, /^role:/],
    [undefined, [], /^roles:/],
    ['viewer', ['handler'], /^role:/],
    [undefined, ['king'], /^roles: unknown/],
  ] as const)('role %s with roles %j is refused', (role, roles, message) => {
    expect(resolveRoles(role as never, roles as never)).toMatch(message);
  });
});

describe('diff', () => {
  it('lists only what changed, old and new', () => {
    expect(diff({ a: 1, b: [1], c: 'x' }, { a: 1, b: [2], c: 'y' })).toEqual({
      b: { from: [1], to: [2] },
      c: { from: 'x', to: 'y' },
    });
  });
});
