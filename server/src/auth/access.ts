import type { RegionPath, Role, User } from '@gridwatch/devices';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in officer; set by the auth plugin on every `/api` route but login. */
    user: User | null;
  }
}

/**
 * The one region rule: a user sees what lies in their region, at whatever level it is.
 * Region ids are unique across levels, so "any level of the path equals the user's region"
 * is the whole test. A commander's region is the district.
 */
export function inScope(user: Pick<User, 'regionId'>, path: RegionPath): boolean {
  return (
    path.district === user.regionId ||
    path.street === user.regionId ||
    path.community === user.regionId ||
    path.grid === user.regionId
  );
}

/**
 * The same rule as SQL over a table with `district_id`, `street_id`, `community_id` and
 * `grid_id` columns; `param` is the placeholder holding the user's region id.
 */
export function scopeSql(param: string, alias = ''): string {
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
