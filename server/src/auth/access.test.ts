import type { RegionPath } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { canAct, hasRole, inScope, scopeSql } from './access.ts';

const path: RegionPath = {
  district: 'D610104',
  street: 'D610104-S01',
  community: 'D610104-S01-C01',
  grid: 'D610104-S01-C01-G01',
};

describe('inScope', () => {
  it.each([
    ['D610104', true],
    ['D610104-S01', true],
    ['D610104-S01-C01', true],
    ['D610104-S01-C01-G01', true],
    ['D610104-S02', false],
    ['D610104-S01-C02', false],
    ['D610105', false],
    ['', false],
  ])('region %s sees the grid-level item: %s', (regionId, expected) => {
    expect(inScope({ regionId }, path)).toBe(expected);
  });

  it('never matches a missing level', () => {
    const partial: RegionPath = { district: 'D610104', street: null, community: null, grid: null };
    expect(inScope({ regionId: 'D610104' }, partial)).toBe(true);
    expect(inScope({ regionId: 'D610104-S01' }, partial)).toBe(false);
  });
});

describe('scopeSql', () => {
  it('tests every level against the one placeholder', () => {
    expect(scopeSql('$1')).toBe('(district_id = $1 OR street_id = $1 OR community_id = $1 OR grid_id = $1)');
    expect(scopeSql('$3', 'a')).toContain('a.grid_id = $3');
  });
});

describe('canAct', () => {
  it.each([
    ['commander', true],
    ['dispatcher', true],
    ['officer', true],
    ['handler', false],
    ['grid-officer', false],
    ['verifier', false],
    ['viewer', false],
  ] as const)('%s may act on alerts: %s', (role, expected) => {
    expect(canAct({ role })).toBe(expected);
  });

  it('counts every role a user holds, not only the primary one', () => {
    expect(canAct({ role: 'verifier', roles: ['verifier', 'officer'] })).toBe(true);
    expect(canAct({ role: 'viewer', roles: ['viewer'] })).toBe(false);
  });
});

describe('hasRole', () => {
  it('matches any held role against any asked role', () => {
    const user = { role: 'grid-officer' as const, roles: ['grid-officer' as const, 'verifier' as const] };
    expect(hasRole(user, 'verifier')).toBe(true);
    expect(hasRole(user, 'commander', 'grid-officer')).toBe(true);
    expect(hasRole(user, 'commander', 'dispatcher')).toBe(false);
    expect(hasRole(user)).toBe(false);
  });

  it('falls back to the primary role when the list is missing or empty', () => {
    expect(hasRole({ role: 'commander' }, 'commander')).toBe(true);
    expect(hasRole({ role: 'commander', roles: [] }, 'commander')).toBe(true);
    expect(hasRole({ role: 'viewer' }, 'commander')).toBe(false);
  });
});
