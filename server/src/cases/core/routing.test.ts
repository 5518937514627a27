import type { RegionPath } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { type RoutingDirectory, suggestRoute } from './routing.ts';

const path: RegionPath = { district: 'd01', street: 's01', community: 'c01', grid: 'g01' };
const at = new Date('2026-12-05T08:00:00Z');

/** A directory with centres for the given regions, departments by type and on-duty officers by grid. */
const aDirectory = (
  centres = ['d01', 's01', 'c01'],
  departments: Record<string, string> = { fire: 'dept:fire', 'urban-management': 'dept:urban' },
  onDuty: Record<string, string> = { g01: 'go-1' },
): RoutingDirectory => ({
  centreOf: (regionId) => (centres.includes(regionId) ? { id: `centre:${regionId}` } : undefined),
  department: (type) => (departments[type] ? { id: departments[type] } : undefined),
  gridOfficerOnDuty: (gridId) => onDuty[gridId] ?? null,
});

describe('suggestRoute', () => {
  it.each([
    ['grid', 'fire', 'centre:c01', 'go-1', 'dept:fire'],
    ['community', 'fire', 'centre:c01', null, 'dept:fire'],
    ['street', 'urban-management', 'centre:s01', null, 'dept:urban'],
    ['district', 'fire', 'dept:fire', null, null],
    ['community', null, 'centre:c01', null, null],
  ] as const)(
    '%s tier (lead %s) → %s, officer %s, co-handler %s',
    (tier, lead, unitId, assigneeId, deptId) => {
      const s = suggestRoute({ tier, leadDepartment: lead }, path, aDirectory(), at);
      expect(s).toMatchObject({ unitId, assigneeId, leadDepartmentId: deptId });
      expect(s.reason).toContain(`${tier} matter`);
    },
  );

  it('a grid with nobody on duty still goes to its community centre, and says so', () => {
    const s = suggestRoute(
      { tier: 'grid', leadDepartment: null },
      path,
      aDirectory(undefined, undefined, {}),
      at,
    );
    expect(s).toMatchObject({ unitId: 'centre:c01', assigneeId: null });
    expect(s.reason).toContain('no grid officer on duty in grid g01');
  });

  it('asks for the officer on duty at the given time', () => {
    const seen: Array<[string, Date]> = [];
    const dir = {
      ...aDirectory(),
      gridOfficerOnDuty: (g: string, when: Date) => {
        seen.push([g, when]);
        return 'go-2';
      },
    };
    expect(suggestRoute({ tier: 'grid', leadDepartment: null }, path, dir, at).assigneeId).toBe('go-2');
    expect(seen).toEqual([['g01', at]]);
  });

  it('a missing community centre falls back to the street centre, then the district', () => {
    expect(
      suggestRoute({ tier: 'community', leadDepartment: null }, path, aDirectory(['d01', 's01']), at).unitId,
    ).toBe('centre:s01');
    expect(suggestRoute({ tier: 'grid', leadDepartment: null }, path, aDirectory(['d01']), at).unitId).toBe(
      'centre:d01',
    );
  });

  it('a district matter whose department is not configured goes to the district centre', () => {
    const s = suggestRoute({ tier: 'district', leadDepartment: 'power-supply' }, path, aDirectory(), at);
    expect(s).toMatchObject({ unitId: 'centre:d01', leadDepartmentId: null });
    expect(s.reason).toContain('without a power-supply department');
  });

  it('nothing known: no unit, and a reason', () => {
    const s = suggestRoute({ tier: 'street', leadDepartment: null }, path, aDirectory([], {}, {}), at);
    expect(s.unitId).toBeNull();
    expect(s.reason).toContain('no centre found');
  });

  it('a case without a grid gets no officer', () => {
    const s = suggestRoute({ tier: 'grid', leadDepartment: null }, { ...path, grid: null }, aDirectory(), at);
    expect(s).toMatchObject({ unitId: 'centre:c01', assigneeId: null });
    expect(s.reason).toContain('has no grid');
  });
});
