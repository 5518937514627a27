import type { Unit } from '@gridwatch/devices';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPARTMENTS } from './default-departments.ts';
import { type DirectorySnapshot, deriveCentres, OrganisationDirectory } from './directory.ts';

const REGIONS = [
  { id: 'D', level: 'district' as const, name: '莲湖区', parentId: null },
  { id: 'D-S1', level: 'street' as const, name: '一街道', parentId: 'D' },
  { id: 'D-S1-C1', level: 'community' as const, name: '一社区', parentId: 'D-S1' },
  { id: 'D-S1-C1-G1', level: 'grid' as const, name: '一网格', parentId: 'D-S1-C1' },
  { id: 'D-S1-C1-G2', level: 'grid' as const, name: '二网格', parentId: 'D-S1-C1' },
];
const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 8);

const user = (id: string, over: Partial<DirectorySnapshot['users'][number]> = {}) => ({
  id,
  displayName: id,
  roles: ['grid-officer' as const],
  regionId: 'D-S1-C1',
  unitId: 'centre:D-S1-C1',
  disabled: false,
  ...over,
});

function aDirectory(over: Partial<DirectorySnapshot> = {}): OrganisationDirectory {
  return new OrganisationDirectory({
    units: [...deriveCentres(REGIONS), ...DEFAULT_DEPARTMENTS],
    users: [user('a'), user('b'), user('c'), user('gone', { disabled: true })],
    regions: REGIONS,
    assignments: [
      { userId: 'gone', gridId: 'D-S1-C1-G1', teamRole: 'grid-officer' },
      { userId: 'a', gridId: 'D-S1-C1-G1', teamRole: 'grid-officer' },
      { userId: 'b', gridId: 'D-S1-C1-G1', teamRole: 'grid-chief' },
      { userId: 'c', gridId: 'D-S1-C1-G1', teamRole: 'part-time' },
    ],
    shifts: [],
    ...over,
  });
}

describe('deriveCentres', () => {
  it('makes one centre per district, street and community, linked like the regions', () => {
    const centres = deriveCentres(REGIONS);
    expect(centres.map((c) => [c.id, c.kind, c.parentId])).toEqual([
      ['centre:D', 'district-centre', null],
      ['centre:D-S1', 'street-centre', 'centre:D'],
      ['centre:D-S1-C1', 'community-centre', 'centre:D-S1'],
    ]);
    expect(centres[2]).toMatchObject({
      nameZh: '一社区综治中心',
      nameEn: 'Community centre D-S1-C1',
      regionId: 'D-S1-C1',
    });
  });
});

describe('OrganisationDirectory', () => {
  it('finds the centre of a grid (its community) and walks up past a disabled centre', () => {
    expect(aDirectory().centreOf('D-S1-C1-G2')?.id).toBe('centre:D-S1-C1');
    const units: Unit[] = deriveCentres(REGIONS).map((u) =>
      u.id === 'centre:D-S1-C1' ? { ...u, enabled: false } : u,
    );
    expect(aDirectory({ units }).centreOf('D-S1-C1-G2')?.id).toBe('centre:D-S1');
    expect(aDirectory().centreOf('nowhere')).toBeUndefined();
  });

  it('answers departments by type, only when enabled', () => {
    expect(aDirectory().department('fire')?.id).toBe('dept:fire');
    const units = DEFAULT_DEPARTMENTS.map((u) =>
      u.departmentType === 'fire' ? { ...u, enabled: false } : u,
    );
    const dir = aDirectory({ units });
    expect(dir.department('fire')).toBeUndefined();
    expect(dir.departmentTypes().has('fire')).toBe(true);
  });

  it('leaves disabled users out of grid teams and duty', () => {
    const dir = aDirectory({
      shifts: [
        { unitId: 'centre:D-S1-C1', userId: 'gone', startsAt: T0, endsAt: T0 + 8 * H },
        { unitId: 'centre:D-S1-C1', userId: 'b', startsAt: T0, endsAt: T0 + 8 * H },
      ],
    });
    expect(dir.gridTeam('D-S1-C1-G1').map((m) => m.userId)).toEqual(['a', 'b', 'c']);
    expect(dir.onDuty('centre:D-S1-C1', new Date(T0 + H))).toEqual(['b']);
  });

  it('counts a shift from its start, up to but not including its end', () => {
    const dir = aDirectory({
      shifts: [{ unitId: 'centre:D-S1-C1', userId: 'a', startsAt: T0, endsAt: T0 + H }],
    });
    expect(dir.onDuty('centre:D-S1-C1', new Date(T0 - 1))).toEqual([]);
    expect(dir.onDuty('centre:D-S1-C1', new Date(T0))).toEqual(['a']);
    expect(dir.onDuty('centre:D-S1-C1', new Date(T0 + H))).toEqual([]);
  });

  it.each([
    ['nobody rostered: the first full-time grid officer', [], T0, 'a'],
    ['the grid officer on shift', [['a', 0, 8]], T0 + H, 'a'],
    ['the chief when only the chief is on shift', [['b', 0, 8]], T0 + H, 'b'],
    [
      'part-timer after officer and chief',
      [
        ['c', 0, 8],
        ['a', 9, 17],
      ],
      T0 + H,
      'c',
    ],
    ['nobody on shift now though the team keeps a roster', [['a', 9, 17]], T0 + H, null],
  ] as const)('grid officer on duty: %s', (_what, shifts, at, expected) => {
    const dir = aDirectory({
      shifts: shifts.map(([userId, from, to]) => ({
        unitId: 'centre:D-S1-C1',
        userId,
        startsAt: T0 + from * H,
        endsAt: T0 + to * H,
      })),
    });
    expect(dir.gridOfficerOnDuty('D-S1-C1-G1', new Date(at))).toBe(expected);
  });

  it('has no grid officer for a grid without a team', () => {
    expect(aDirectory().gridOfficerOnDuty('D-S1-C1-G2', new Date(T0))).toBeNull();
  });

  it('gives a region lineage from itself up', () => {
    expect(aDirectory().lineage('D-S1-C1-G1')).toEqual(['D-S1-C1-G1', 'D-S1-C1', 'D-S1', 'D']);
    expect(aDirectory().lineage('nowhere')).toEqual([]);
  });
});
