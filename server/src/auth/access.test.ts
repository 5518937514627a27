import type { RegionPath } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { canAct, inScope, scopeSql } from './access.ts';

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
    ['viewer', false],
  ] as const)('%s may act: %s', (role, expected) => {
    expect(canAct({ role })).toBe(expected);
  });
});
