import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import { CrossOrigin, Unauthorized } from '../infra/errors.ts';
import {
  type Credential,
  checkOrigin,
  isStateChanging,
  type OriginVerdict,
  parseAllowedOrigins,
} from '../infra/origin-policy.ts';
import './access.ts';
import {
  ADMIN_USER,
  DEFAULT_ADMIN_PASSWORD,
  DEMO_PASSWORD,
  DEMO_USERS,
  type SeedUser,
} from './demo-users.ts';
import { createLoginFailureStore } from './login-failures.ts';
import { hashPassword } from './password.ts';
import { authRoutes, SESSION_COOKIE } from './routes.ts';
import { createSessionStore, type Session } from './sessions.ts';
import { createUserStore, type UserStore } from './users.ts';

export interface AuthService {
  /** The live session of a token (bearer, cookie or Socket.IO handshake), or null. */
  session(token: string): Promise<Session | null>;
  /** The `gw_session` token inside a raw `Cookie` header. */
  tokenFromCookieHeader(header: string | undefined): string | undefined;
  /** Every `/api` route the guard covers, as registered (for audits and tests). */
  readonly apiRoutes: ReadonlyArray<{ method: string; url: string; auth: RouteAuth }>;
  /**
   * Whether a socket handshake with these headers may go on: its page must be the centre's
   * own or in ALLOWED_ORIGINS (see `checkOrigin`).
   */
  checkOrigin(headers: IncomingHttpHeaders, credential: Credential): OriginVerdict;
  /** Called with the token hash when a session ends (logout, user disabled); returns the unsubscriber. */
  onSessionEnded(listener: (tokenHash: string) => void): () => void;
  /** Ends every session of a user and closes their sockets; returns how many ended. */
  endSessionsOf(username: string): Promise<number>;
  /** The users table's repository (the organisation domain manages users through it). */
  readonly users: UserStore;
  /** Seed users created at this start (the organisation plugin gives them their grids). */
  readonly seededNow: readonly SeedUser[];
}

/**
 * How an `/api` route authenticates: a session (the default); `own` = a credential of its
 * own (a hotline system's key, a resident's status link) checked by the route's onRequest
 * hook, answering 401 like the session guard; `public` = none (a resident's report).
 */
export type RouteAuth = 'session' | 'own' | 'public';

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
  }
  interface FastifyContextConfig {
    /** @default 'session' */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** SHA-256 of the session token that authenticated this request. */
    sessionTokenHash: string | null;
  }
}

const LOGIN_URL = '/api/auth/login';

function isApiPath(path: string | undefined): boolean {
  if (!path) return false;
  const p = path.toLowerCase();
  return p === '/api' || p.startsWith('/api/') || p.startsWith('/api?');
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function lastEntry(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined?.split(',').at(-1)?.trim() || undefined;
}

/**
 * Users, sessions and the one guard: an `onRequest` hook on every `/api` route that checks
 * the session (all but login) and, for state-changing methods, the page the request comes
 * from. Sessions live in the database so every instance accepts every session.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'auth' });
    const { config } = app;
    const users = createUserStore(app.db);
    const sessions = createSessionStore(app.db, config.SESSION_TTL_H);
    const listeners = new Set<(tokenHash: string) => void>();
    const apiRoutes: Array<{ method: string; url: string; auth: RouteAuth }> = [];
    const seededNow: SeedUser[] = [];
    const allowedOrigins = parseAllowedOrigins(config.ALLOWED_ORIGINS);
    let dummy: Promise<string> | undefined;
    const sessionEnded = (hash: string) => {
      for (const listener of listeners) {
        try {
          listener(hash);
        } catch (err) {
          log.error({ err }, 'session-ended listener failed');
        }
      }
    };

    if (!app.hasDecorator('parseCookie')) await app.register(cookie);
    await app.register(rateLimit, { global: false });

    app.decorateRequest('user', null);
    app.decorateRequest('sessionTokenHash', null);

    app.addHook('onRoute', (route) => {
      if (!isApiPath(route.url)) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const auth = route.config?.auth ?? 'session';
      for (const method of methods) apiRoutes.push({ method, url: route.url, auth });
      if (route.url !== LOGIN_URL && auth === 'session') {
        route.schema ??= {};
        (route.schema as { security?: unknown }).security ??= [{ session: [] }];
      }
    });

    app.addHook('onRequest', async (request) => {
      const routeUrl = request.routeOptions.url;
      if (!isApiPath(request.url.split('?')[0]) && !isApiPath(routeUrl)) return;
      const login = request.method === 'POST' && routeUrl === LOGIN_URL;
      // Routes with their own credential (not the session) check it in their own onRequest hook.
      if (!login && (request.routeOptions.config?.auth ?? 'session') !== 'session') return;
      const bearer = bearerToken(request);
      const cookieToken = request.cookies[SESSION_COOKIE];
      if (!login) {
        const token = bearer ?? cookieToken;
        const session = token ? await sessions.find(token) : null;
        if (!session) throw new Unauthorized();
        request.user = session.user;
        request.sessionTokenHash = session.tokenHash;
      }
      if (!isStateChanging(request.method)) return;
      // Login uses no session, so a cookie sent along gives it no authority.
      const credential: Credential = bearer ? 'bearer' : cookieToken && !login ? 'cookie' : 'none';
      const verdict = checkOrigin({
        origin: request.headers.origin,
        referer: request.headers.referer,
        host: request.host,
        allowed: allowedOrigins,
        credential,
      });
      if (!verdict.ok) {
        request.log.warn(
          { origin: request.headers.origin, referer: request.headers.referer, url: request.url },
          'cross-origin request refused',
        );
        throw new CrossOrigin(verdict.reason);
      }
    });

    const service: AuthService = {
      session: (token) => sessions.find(token),
      tokenFromCookieHeader(header) {
        if (!header) return undefined;
        return app.parseCookie(header)[SESSION_COOKIE];
      },
      apiRoutes,
      checkOrigin: (headers, credential) =>
        checkOrigin({
          origin: headers.origin,
          referer: headers.referer,
          host: (config.TRUST_PROXY && lastEntry(headers['x-forwarded-host'])) || headers.host,
          allowed: allowedOrigins,
          credential,
        }),
      onSessionEnded(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async endSessionsOf(username) {
        const hashes = await sessions.removeAllOf(username);
        for (const hash of hashes) sessionEnded(hash);
        return hashes.length;
      },
      users,
      seededNow,
    };
    app.decorate('auth', service);

    const logins = new Counter({
      name: 'gridwatch_auth_logins_total',
      help: 'Login attempts by result (ok, failed, throttled per username, disabled user)',
      labelNames: ['result'] as const,
      registers: [app.metrics],
    });
    authRoutes(app, {
      countLogin: (result) => logins.inc({ result }),
      users,
      sessions,
      failures: createLoginFailureStore(app.db),
      dummyHash: () => {
        dummy ??= hashPassword(randomBytes(16).toString('hex'));
        return dummy;
      },
      loginRateMax: config.LOGIN_RATE_MAX,
      ttlHours: config.SESSION_TTL_H,
      sessionEnded,
    });

    if (!config.ADMIN_PASSWORD) {
      log.warn(
        `ADMIN_PASSWORD is not set: the admin user gets the demo password '${DEFAULT_ADMIN_PASSWORD}'; set it for any real use`,
      );
    }
    const seeds = [{ ...ADMIN_USER, password: config.ADMIN_PASSWORD ?? DEFAULT_ADMIN_PASSWORD }];
    if (config.SEED_DEMO_USERS) seeds.push(...DEMO_USERS.map((u) => ({ ...u, password: DEMO_PASSWORD })));
    const created = new Set(await users.seed(seeds, log));
    seededNow.push(...seeds.filter((u) => created.has(u.username)).map(({ password: _, ...u }) => u));

    app.addHook('onReady', async () => {
      log.info({ routes: apiRoutes.length }, 'api routes guarded');
    });
  },
  { name: 'auth', dependencies: ['db', 'context', 'metrics'] },
);
