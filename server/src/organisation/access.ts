import { ROLES, type Role, type User } from '@gridwatch/devices';
import { hasRole } from '../auth/access.ts';

/**
 * Who may manage whom, pure. A region is "within" a manager's when the manager's region is
 * on its lineage (itself or an ancestor): a street commander manages the street and the
 * communities and grids under it, never another street.
 */
export function within(managerRegionId: string, lineage: readonly string[]): boolean {
  return lineage.includes(managerRegionId);
}

/** Users, units and grid teams: commanders only, inside their region. */
export function canManageUsers(me: User, targetLineage: readonly string[]): boolean {
  return hasRole(me, 'commander') && within(me.regionId, targetLineage);
}

/** Duty rosters: commanders and dispatchers, inside their region. */
export function canManageDuty(me: User, unitLineage: readonly string[]): boolean {
  return hasRole(me, 'commander', 'dispatcher') && within(me.regionId, unitLineage);
}

/**
 * The role list a user will hold: `roles` when given (deduplicated, order kept), else
 * `[role]`; with both, `role` must be among `roles` and becomes the first (the primary).
 * Returns an error naming the field, or the list.
 */
export function resolveRoles(role: Role | undefined, roles: readonly Role[] | undefined): Role[] | string {
  const known = new Set<string>(ROLES);
  if (roles !== undefined) {
    if (roles.length === 0) return 'roles: at least one role is needed';
    const bad = roles.find((r) => !known.has(r));
    if (bad) return `roles: unknown role ${JSON.stringify(bad)}`;
    const unique = [...new Set(roles)];
    if (role === undefined) return unique;
    if (!unique.includes(role)) return `role: ${role} is not among roles (${unique.join(', ')})`;
    return [role, ...unique.filter((r) => r !== role)];
  }
  if (role === undefined) return 'role: a role (or roles) is needed';
  if (!known.has(role)) return `role: unknown role ${JSON.stringify(role)}`;
  return [role];
}

/** What changed between two records, as `{ field: { from, to } }` for the audit trail. */
export function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[key] = { from: before[key] ?? null, to: after[key] };
  }
  return out;
}
