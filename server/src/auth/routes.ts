import { User } from '@gridwatch/devices';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LoginFailed, UserDisabled } from './errors.ts';
import type { LoginFailureStore } from './login-failures.ts';
import { verifyPassword } from './password.ts';
import { ErrorReply, LoginBody, LoginReply } from './schemas.ts';
import type { SessionStore } from './sessions.ts';
import type { UserStore } from './users.ts';

export const SESSION_COOKIE = 'gw_session';

export interface AuthRouteDeps {
  users: UserStore;
  sessions: SessionStore;
  failures: LoginFailureStore;
  /** Hash checked for unknown usernames, so they cost the time of a wrong password. */
  dummyHash: () => Promise<string>;
  loginRateMax: number;
  ttlHours: number;
  sessionEnded: (tokenHash: string) => void;
  countLogin: (result: 'ok' | 'failed' | 'throttled' | 'disabled') => void;
}

function requireUser(request: FastifyRequest): User {
  // The auth hook guarantees a user on every /api route but login.
  if (!request.user) throw new Error('auth hook did not run');
  return request.user;
}

export function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const { users, sessions, failures } = deps;

  app.post(
    '/api/auth/login',
    {
      // Read before anyone is known: a few fields, never megabytes.
      bodyLimit: 4096,
      config: { rateLimit: { max: deps.loginRateMax, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets the gw_session cookie and returns a bearer token',
        body: LoginBody,
        response: { 200: LoginReply, 401: ErrorReply, 403: ErrorReply, 429: ErrorReply },
      },
    },
    async (
      request: FastifyRequest<{ Body: { username: string; password: string } }>,
      reply: FastifyReply,
    ) => {
      const username = request.body.username.trim();
      const now = Date.now();
      const claim = await failures.claim(username, request.ip, new Date(now));
      if (!claim.ok) {
        const seconds = Math.ceil(claim.retryAfterMs / 1000);
        deps.countLogin('throttled');
        return reply
          .code(429)
          .header('retry-after', String(seconds))
          .send({
            statusCode: 429,
            code: 'GW_LOGIN_THROTTLED',
            error: 'Too Many Requests',
            message: `too many failed logins for this user from this address; retry in ${seconds} s`,
          });
      }
      const found = await users.withHash(username);
      const ok = await verifyPassword(request.body.password, found?.passwordHash ?? (await deps.dummyHash()));
      if (!found || !ok) {
        deps.countLogin('failed');
        if (found) await users.noteFailedLogin(found.user.username, new Date(now));
        request.log.warn({ username, ip: request.ip, failures: claim.failures }, 'login failed');
        throw new LoginFailed();
      }
      // Told only to someone who knows the password: the account exists but is switched off.
      if (found.disabled) {
        deps.countLogin('disabled');
        request.log.warn({ username, ip: request.ip }, 'login refused: user disabled');
        throw new UserDisabled();
      }
      await failures.forget(username, request.ip);
      const notice = await users.recordLogin(found.user.username, new Date(now));
      if (notice.failedAttempts > 0)
        request.log.info({ username, failedAttempts: notice.failedAttempts }, 'login after failed attempts');
      deps.countLogin('ok');
      const { token, expiresAt } = await sessions.create(found.user.username);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge: deps.ttlHours * 3600,
      });
      // Cheap, and keeps the table from growing with abandoned sessions.
      if (Math.random() < 0.05) {
        Promise.all([sessions.purgeExpired(), failures.purge()]).catch((err) =>
          request.log.error({ err }, 'session purge failed'),
        );
      }
      return { token, user: found.user, expiresAt: expiresAt.toISOString(), notice };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session (cookie or bearer token)',
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const hash = request.sessionTokenHash;
      if (hash) {
        await sessions.remove(hash);
        deps.sessionEnded(hash);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'The logged-in user', response: { 200: User } } },
    async (request) => requireUser(request),
  );
}
