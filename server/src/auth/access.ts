import type { RegionPath, Role, User } from '@gridwatch/devices';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in officer; set by the auth plugin on every `/api` route but login. */
    user: User | null;
  }
}

type ScopeUser = Pick<User, 'regionId' | 'role'> & { roles?: readonly Role[] };

/**
 * The one region-scope rule, for REST, sockets and stats alike: a user sees what lies in
 * their region, at whatever level it is (region ids are unique across levels, so "any
 * level of the path equals the user's region" is the whole test). A commander, whose
 * region is the district, also sees what lies outside every region (a device placed in no
 * grid, and its alerts): someone has to find and act on it. Its SQL form is `scopeSql`,
 * its socket form `seesUnplaced` (realtime/rooms.ts).
 */
export function inScope(user: ScopeUser, path: RegionPath): boolean {
  return inRegion(user.regionId, path) || (isUnplaced(path) && seesUnplaced(user));
}

/**
 * The same rule as SQL over a table with `district_id`, `street_id`, `community_id` and
 * `grid_id` columns; `param` is the placeholder holding the user's region id.
 */
export function scopeSql(user: ScopeUser, param: string, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return seesUnplaced(user)
    ? `(${regionSql(param, alias)} OR ${p}district_id IS NULL)`
    : regionSql(param, alias);
}

/** Who sees what lies outside every region. */
export function seesUnplaced(user: Pick<User, 'role'> & { roles?: readonly Role[] }): boolean {
  return hasRole(user, 'commander');
}

/** Outside every region: placement found no grid, so no level is set. */
export function isUnplaced(path: RegionPath): boolean {
  return path.district === null;
}

/** True when any level of `path` is `regionId` (a filter by region, not a user's scope). */
export function inRegion(regionId: string, path: RegionPath): boolean {
  return (
    path.district === regionId ||
    path.street === regionId ||
    path.community === regionId ||
    path.grid === regionId
  );
}

/** `inRegion` as SQL; `param` is the placeholder holding the region id. */
export function regionSql(param: string, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return `(${p}district_id = ${param} OR ${p}street_id = ${param} OR ${p}community_id = ${param} OR ${p}grid_id = ${param})`;
}

/**
 * True when the user holds any of `roles`. Users created before roles became a list carry
 * only `role`; it counts as their one role.
 */
export function hasRole(user: Pick<User, 'role'> & { roles?: readonly Role[] }, ...roles: Role[]): boolean {
  const held = user.roles && user.roles.length > 0 ? user.roles : [user.role];
  return held.some((r) => roles.includes(r));
}

/** Roles that may acknowledge and resolve alerts; the others work cases or only watch. */
export const ALERT_ROLES: readonly Role[] = ['commander', 'dispatcher', 'officer'];

/** Who may acknowledge and resolve alerts. */
export function canAct(user: Pick<User, 'role'> & { roles?: readonly Role[] }): boolean {
  return hasRole(user, ...ALERT_ROLES);
}
