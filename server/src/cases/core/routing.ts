import type { RegionPath } from '@gridwatch/devices';

/**
 * Who should handle a case: 小事不出网格、大事不出社区. A grid-tier matter goes to the
 * community centre of the case's grid with that grid's on-duty grid officer, a community one
 * to the community centre, a street one to the street centre, a district one to the item's
 * lead department. Only a suggestion: the dispatcher may send it anywhere.
 */

/** The part of the organisation directory routing reads (`app.organisation` satisfies it). */
export interface RoutingDirectory {
  centreOf(regionId: string): { id: string } | undefined;
  department(type: string): { id: string } | undefined;
  gridOfficerOnDuty(gridId: string, at: Date): string | null;
}

/** The matter catalogue's tiers (`MatterTier` of the organisation contracts). */
export type RoutedTier = 'grid' | 'community' | 'street' | 'district';

export interface RoutedItem {
  tier: RoutedTier;
  /** A department type, e.g. `fire`. */
  leadDepartment: string | null;
}

export interface RouteSuggestion {
  /** The unit to lead; null when the directory knows no unit at all for this place. */
  unitId: string | null;
  /** The grid's on-duty grid officer for grid-tier matters, else null. */
  assigneeId: string | null;
  /** The item's lead department when it is not already the lead unit (for 协调联动). */
  leadDepartmentId: string | null;
  /** Why, in English, for the dispatcher's screen and the case's timeline. */
  reason: string;
}

/** The nearest centre from `level` upwards on the path (a missing centre falls back to its parent's). */
function centreFrom(
  path: RegionPath,
  level: 'community' | 'street' | 'district',
  dir: RoutingDirectory,
): { id: string; level: string } | null {
  const order = ['community', 'street', 'district'] as const;
  for (const l of order.slice(order.indexOf(level))) {
    const regionId = path[l];
    const unit = regionId ? dir.centreOf(regionId) : undefined;
    if (unit) return { id: unit.id, level: l };
  }
  return null;
}

export function suggestRoute(
  item: RoutedItem,
  path: RegionPath,
  dir: RoutingDirectory,
  at: Date,
): RouteSuggestion {
  const dept = item.leadDepartment ? (dir.department(item.leadDepartment) ?? null) : null;
  const fallback = (why: string, from: 'community' | 'street' | 'district'): RouteSuggestion => {
    const c = centreFrom(path, from, dir);
    return {
      unitId: c?.id ?? null,
      assigneeId: null,
      leadDepartmentId: dept && dept.id !== c?.id ? dept.id : null,
      reason: c ? `${why}: ${c.level} centre ${c.id}` : `${why}: no centre found for this place`,
    };
  };

  switch (item.tier) {
    case 'grid': {
      const s = fallback('grid matter', 'community');
      if (!path.grid) return { ...s, reason: `${s.reason} (the case has no grid)` };
      const officer = dir.gridOfficerOnDuty(path.grid, at);
      return {
        ...s,
        assigneeId: officer,
        reason: officer
          ? `${s.reason} with grid ${path.grid}'s officer on duty ${officer}`
          : `${s.reason}; no grid officer on duty in grid ${path.grid}`,
      };
    }
    case 'community':
      return fallback('community matter', 'community');
    case 'street':
      return fallback('street matter', 'street');
    case 'district':
      if (dept) {
        return {
          unitId: dept.id,
          assigneeId: null,
          leadDepartmentId: null,
          reason: `district matter: lead department ${dept.id}`,
        };
      }
      return fallback(`district matter without a ${item.leadDepartment ?? 'lead'} department`, 'district');
  }
}
