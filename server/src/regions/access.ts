import type { Role, User } from '@gridwatch/devices';
import type { FastifyRequest } from 'fastify';
import { hasRole } from '../auth/access.ts';
import { Forbidden, Unauthorized } from '../infra/errors.ts';

// What a user may see is auth/access.ts's one region-scope rule (inScope, scopeSql).

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
