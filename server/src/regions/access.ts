import type { RegionPath, Role, User } from '@gridwatch/devices';
import type { FastifyRequest } from 'fastify';
import { hasRole, inScope, scopeSql } from '../auth/access.ts';
import { Forbidden, Unauthorized } from '../infra/errors.ts';

/**
 * The region rule of auth/access.ts, plus one addition for the registry: a commander also
 * sees devices (and their alerts) that lie outside every grid, since someone has to find and
 * fix them, and the commander's region is the whole district.
 */
export function scopeCondition(user: User, param: string, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return hasRole(user, 'commander')
    ? `(${scopeSql(param, alias)} OR ${p}district_id IS NULL)`
    : scopeSql(param, alias);
}

export function canSee(user: User, path: RegionPath): boolean {
  return inScope(user, path) || (hasRole(user, 'commander') && path.district === null);
}

/** The logged-in user; the auth plugin sets it on every /api route, so its absence means no session. */
export function requireUser(request: FastifyRequest): User {
  const user = request.user;
  if (!user) throw new Unauthorized();
  return user;
}

/** Importing and provisioning change what the whole centre sees: commanders and dispatchers only. */
export const REGISTRY_ROLES: readonly Role[] = ['commander', 'dispatcher'];

export function requireRole(request: FastifyRequest, roles: readonly Role[]): User {
  const user = requireUser(request);
  if (!hasRole(user, ...roles))
    throw new Forbidden(`role ${user.role} may not do this (${roles.join(' or ')} only)`);
  return user;
}
