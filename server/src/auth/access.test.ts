import type { RegionPath } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { canAct, hasRole, inRegion, inScope, isUnplaced, regionSql, scopeSql } from './access.ts';

const path: RegionPath = {
  district: 'D610104',
  street: 'D610104-S01',
  community: 'D610104-S01-C01',
  grid: 'D610104-S01-C01-G01',
};

const UNPLACED: RegionPath = { district: null, street: null, community: null, grid: null };

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
    expect(inScope({ regionId, role: 'officer' }, path)).toBe(expected);
  });

  it('never matches a missing level', () => {
    const partial: RegionPath = { district: 'D610104', street: null, community: null, grid: null };
    expect(inScope({ regionId: 'D610104', role: 'dispatcher' }, partial)).toBe(true);
    expect(inScope({ regionId: 'D610104-S01', role: 'officer' }, partial)).toBe(false);
  });

  it.each([
    ['commander', true],
    ['dispatcher', false],
    ['officer', false],
    ['viewer', false],
  ] as const)('what lies outside every region: %s sees it: %s', (role, expected) => {
    expect(inScope({ regionId: 'D610104', role }, UNPLACED)).toBe(expected);
    expect(isUnplaced(UNPLACED)).toBe(true);
  });

  it('a user holding the commander role among others sees it too', () => {
    expect(
      inScope({ regionId: 'D610104', role: 'dispatcher', roles: ['dispatcher', 'commander'] }, UNPLACED),
    ).toBe(true);
  });
});

describe('scopeSql', () => {
  it('tests every level against the one placeholder', () => {
    expect(scopeSql({ regionId: 'x', role: 'officer' }, '$1')).toBe(
      '(district_id = $1 OR street_id = $1 OR community_id = $1 OR grid_id = $1)',
    );
    expect(scopeSql({ regionId: 'x', role: 'officer' }, '$3', 'a')).toContain('a.grid_id = $3');
  });

  it('adds what lies outside every region for a commander, as inScope does', () => {
    expect(scopeSql({ regionId: 'x', role: 'commander' }, '$1', 'a')).toBe(
      `(${regionSql('$1', 'a')} OR a.district_id IS NULL)`,
    );
  });
});

describe('inRegion', () => {
  it('is the region filter: any level equals the region, nothing for unplaced', () => {
    expect(inRegion('D610104-S01-C01', path)).toBe(true);
    expect(inRegion('D610104-S02', path)).toBe(false);
    expect(inRegion('D610104', UNPLACED)).toBe(false);
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
