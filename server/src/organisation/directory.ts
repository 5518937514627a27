import type { GridAssignment, RegionLevel, Role, TeamRole, Unit } from '@gridwatch/devices';

/** The least the directory needs to know about a user. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  roles: Role[];
  regionId: string;
  unitId: string | null;
  disabled: boolean;
}

export interface DirectoryRegion {
  id: string;
  level: RegionLevel;
  parentId: string | null;
}

export interface DirectoryShift {
  unitId: string;
  userId: string;
  startsAt: number;
  endsAt: number;
}

export interface DirectorySnapshot {
  units: Unit[];
  users: DirectoryUser[];
  regions: DirectoryRegion[];
  assignments: Array<GridAssignment & { userId: string }>;
  shifts: DirectoryShift[];
}

/**
 * Who the on-duty grid officer of a grid is, in this order of team roles: the full-time grid
 * officer first, then the grid chief, then part-time officers.
 */
const ON_DUTY_ORDER: readonly TeamRole[] = ['grid-officer', 'grid-chief', 'part-time'];

/**
 * The organisation as an immutable, indexed snapshot: every lookup synchronous. The
 * organisation service builds a new one after each change and swaps it in.
 */
export class OrganisationDirectory {
  private readonly units = new Map<string, Unit>();
  private readonly departments = new Map<string, Unit>();
  private readonly users = new Map<string, DirectoryUser>();
  private readonly regions = new Map<string, DirectoryRegion>();
  private readonly teams = new Map<string, Array<{ userId: string; teamRole: TeamRole }>>();
  private readonly shifts = new Map<string, DirectoryShift[]>();
  private readonly shiftsByUser = new Map<string, DirectoryShift[]>();

  constructor(snapshot: DirectorySnapshot) {
    for (const unit of snapshot.units) {
      this.units.set(unit.id, unit);
      // The first enabled department of a type answers for it (ids sort the seeded one first).
      if (
        unit.kind === 'department' &&
        unit.enabled &&
        unit.departmentType &&
        !this.departments.has(unit.departmentType)
      )
        this.departments.set(unit.departmentType, unit);
    }
    for (const user of snapshot.users) this.users.set(user.id, user);
    for (const region of snapshot.regions) this.regions.set(region.id, region);
    for (const a of snapshot.assignments) {
      const team = this.teams.get(a.gridId) ?? [];
      team.push({ userId: a.userId, teamRole: a.teamRole });
      this.teams.set(a.gridId, team);
    }
    for (const s of snapshot.shifts) {
      push(this.shifts, s.unitId, s);
      push(this.shiftsByUser, s.userId, s);
    }
  }

  unit(id: string): Unit | undefined {
    return this.units.get(id);
  }

  allUnits(): Unit[] {
    return [...this.units.values()];
  }

  /**
   * The enabled centre responsible for a region: its own centre for a district, street or
   * community, the community's centre for a grid; walks up past missing or disabled centres.
   */
  centreOf(regionId: string): Unit | undefined {
    let id: string | null = regionId;
    for (let depth = 0; id && depth < 10; depth++) {
      const centre = this.units.get(centreId(id));
      if (centre?.enabled) return centre;
      id = this.regions.get(id)?.parentId ?? null;
    }
    return undefined;
  }

  /** The enabled department of a type (`fire`, `police`, …). */
  department(type: string): Unit | undefined {
    return this.departments.get(type);
  }

  /** Department types known to the organisation, enabled or not (a catalogue may name a paused one). */
  departmentTypes(): Set<string> {
    const types = new Set<string>();
    for (const unit of this.units.values()) if (unit.departmentType) types.add(unit.departmentType);
    return types;
  }

  /** The grid's 3+2+N team, disabled users left out. */
  gridTeam(gridId: string): Array<{ userId: string; teamRole: TeamRole }> {
    return (this.teams.get(gridId) ?? []).filter((m) => this.users.get(m.userId)?.disabled === false);
  }

  /** Users of the unit with a shift covering `at` (disabled users never). */
  onDuty(unitId: string, at: Date): string[] {
    const t = at.getTime();
    const ids = new Set<string>();
    for (const s of this.shifts.get(unitId) ?? []) {
      if (s.startsAt <= t && t < s.endsAt && this.users.get(s.userId)?.disabled === false) ids.add(s.userId);
    }
    return [...ids].sort();
  }

  /**
   * The grid team member to send a task to at `at`: among the full-time grid officers, then
   * the grid chief, then part-time officers, the first with a duty shift covering `at`. A grid
   * whose team keeps no roster at all falls back to its first full-time grid officer (they
   * patrol their grid in working hours); null when the grid has no such officer.
   */
  gridOfficerOnDuty(gridId: string, at: Date): string | null {
    const team = this.gridTeam(gridId);
    const t = at.getTime();
    const onShift = (userId: string) =>
      (this.shiftsByUser.get(userId) ?? []).some((s) => s.startsAt <= t && t < s.endsAt);
    for (const role of ON_DUTY_ORDER) {
      const found = team.find((m) => m.teamRole === role && onShift(m.userId));
      if (found) return found.userId;
    }
    const rostered = team.some((m) => (this.shiftsByUser.get(m.userId) ?? []).length > 0);
    if (rostered) return null;
    return team.find((m) => m.teamRole === 'grid-officer')?.userId ?? null;
  }

  user(id: string): DirectoryUser | undefined {
    return this.users.get(id);
  }

  /** Active users of a unit. */
  members(unitId: string): DirectoryUser[] {
    return [...this.users.values()].filter((u) => u.unitId === unitId && !u.disabled);
  }

  region(id: string): DirectoryRegion | undefined {
    return this.regions.get(id);
  }

  /** The region and its ancestors, itself first; empty when unknown. */
  lineage(regionId: string): string[] {
    const out: string[] = [];
    let id: string | null = regionId;
    while (id && out.length < 10) {
      const region = this.regions.get(id);
      if (!region) break;
      out.push(id);
      id = region.parentId;
    }
    return out;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const centreId = (regionId: string) => `centre:${regionId}`;
export const departmentId = (type: string) => `dept:${type}`;

const CENTRE_KIND = {
  district: 'district-centre',
  street: 'street-centre',
  community: 'community-centre',
} as const;

/**
 * One centre per district, street and community region (grids have teams, not centres):
 * the "1+9+131" of the chain. Names are defaults a commander may edit; the sync keeps an
 * edited name and only refreshes region and parent.
 */
export function deriveCentres(regions: ReadonlyArray<DirectoryRegion & { name: string }>): Unit[] {
  const byId = new Map(regions.map((r) => [r.id, r]));
  const centres: Unit[] = [];
  for (const r of regions) {
    if (r.level === 'grid') continue;
    const kind = CENTRE_KIND[r.level];
    const parent = r.parentId ? byId.get(r.parentId) : undefined;
    centres.push({
      id: centreId(r.id),
      kind,
      nameZh: `${r.name}综治中心`,
      nameEn: `${r.level[0]!.toUpperCase()}${r.level.slice(1)} centre ${r.id}`,
      regionId: r.id,
      departmentType: null,
      parentId: parent && parent.level !== 'grid' ? centreId(parent.id) : null,
      enabled: true,
    });
  }
  return centres;
}
