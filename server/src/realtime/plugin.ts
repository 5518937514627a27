import {
  AckRequest,
  type AckResult,
  type Alert,
  type ClientToServerEvents,
  describeTextProblem,
  type ServerToClientEvents,
  SOCKET_PATH,
  type User,
} from '@gridwatch/devices';
import { createAdapter } from '@socket.io/redis-adapter';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { Compile } from 'typebox/compile';
import type { DeviceStatusChange } from '../infra/bus.ts';
import { DeviceStatusRelay } from './device-status.ts';
import { roomsForPath, roomsForUser, sessionRoom } from './rooms.ts';

interface SocketData {
  user: User;
  tokenHash: string;
  expiresAt: number;
}

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

declare module 'fastify' {
  interface FastifyInstance {
    io: RealtimeServer;
  }
}

/** Longest a timer may wait in Node (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Socket.IO on the app's HTTP server. Sessions as for REST (handshake `auth.token` or the
 * `gw_session` cookie, the latter only from the centre's own pages); each socket joins its user's region room, and every alert or device
 * status goes to the rooms of the regions on its path. With REDIS_URL, the Redis adapter
 * fans out across instances.
 */
export default fp(
  async (app) => {
    const log = app.log.child({ domain: 'realtime' });
    const ackRequest = Compile(AckRequest);
    const io: RealtimeServer = new Server(app.server, {
      path: SOCKET_PATH,
      serveClient: false,
      // A page of another origin must not open a socket with the officer's cookie: refused at
      // the HTTP handshake, before any upgrade. Whether the cookie alone is enough is decided
      // below, once the handshake says where its token comes from.
      allowRequest: (req, callback) => {
        const verdict = app.auth.checkOrigin(req.headers, 'none');
        if (verdict.ok) return callback(null, true);
        log.warn({ origin: req.headers.origin }, 'cross-origin socket refused');
        callback(verdict.reason, false);
      },
    });

    // Engine.IO answers the polling transport outside Fastify: give it the same basics.
    io.engine.on('headers', (headers: Record<string, string>) => {
      headers['X-Content-Type-Options'] = 'nosniff';
      headers['X-Frame-Options'] = 'DENY';
    });

    let redis: { quit(): Promise<void> } | undefined;
    if (app.config.REDIS_URL) {
      const pub = createClient({ url: app.config.REDIS_URL });
      const sub = pub.duplicate();
      pub.on('error', (err) => log.warn({ err }, 'redis (publish) error'));
      sub.on('error', (err) => log.warn({ err }, 'redis (subscribe) error'));
      await Promise.all([pub.connect(), sub.connect()]);
      io.adapter(createAdapter(pub, sub));
      redis = {
        quit: async () => {
          await Promise.allSettled([pub.quit(), sub.quit()]);
        },
      };
      app.readiness.set('redis', () => pub.isReady && sub.isReady);
      log.info('socket.io redis adapter on');
    }

    io.use((socket, next) => {
      const fromAuth = socket.handshake.auth?.token;
      const bearer = typeof fromAuth === 'string' && fromAuth ? fromAuth : undefined;
      const token = bearer ?? app.auth.tokenFromCookieHeader(socket.handshake.headers.cookie);
      if (!token) return next(new Error('unauthorized: login required'));
      app.auth
        .session(token)
        .then((session) => {
          if (!session) return next(new Error('unauthorized: session invalid or expired'));
          const verdict = app.auth.checkOrigin(socket.handshake.headers, bearer ? 'bearer' : 'cookie');
          if (!verdict.ok) {
            log.warn({ origin: socket.handshake.headers.origin }, 'cookie-only socket refused');
            return next(new Error(verdict.reason));
          }
          socket.data = {
            user: session.user,
            tokenHash: session.tokenHash,
            expiresAt: session.expiresAt.getTime(),
          };
          next();
        })
        .catch((err) => {
          log.error({ err }, 'socket session lookup failed');
          next(new Error('session lookup failed'));
        });
    });

    io.on('connection', (socket) => {
      const { user, tokenHash, expiresAt } = socket.data;
      socket.join([...roomsForUser(user), sessionRoom(tokenHash)]);
      const expiry = setTimeout(
        () => socket.disconnect(true),
        Math.min(MAX_TIMER_MS, expiresAt - Date.now()),
      );
      expiry.unref();
      socket.on('disconnect', () => clearTimeout(expiry));

      socket.on('alerts:sync', (query: unknown, callback: unknown) => {
        // `emit('alerts:sync', cb)` without a query is accepted too.
        const reply = (typeof callback === 'function' ? callback : query) as (alerts: Alert[]) => void;
        if (typeof reply !== 'function') return;
        const raw = typeof query === 'object' && query ? (query as { since?: unknown }).since : undefined;
        const since = typeof raw === 'string' ? raw : undefined;
        app.alerts
          .sync(user, since)
          .then(reply)
          .catch((err) => {
            log.error({ err }, 'alerts:sync failed');
            reply([]);
          });
      });

      socket.on('alert:ack', (request, reply) => {
        if (typeof reply !== 'function') return;
        const answer = (result: AckResult) => reply(result);
        if (!ackRequest.Check(request)) {
          const first = ackRequest.Errors(request)[0];
          const field = first?.instancePath ? first.instancePath.slice(1) : 'request';
          const problem =
            describeTextProblem((first?.params as { pattern?: string } | undefined)?.pattern) ??
            first?.message ??
            'expected { id: string, remark?: string }';
          return answer({ ok: false, error: `${field} ${problem}` });
        }
        const { id, remark } = request;
        app.alerts
          .acknowledge(user, id, remark)
          .then((alert) => answer({ ok: true, alert }))
          .catch((err: { statusCode?: number; message?: string }) => {
            if (!err.statusCode || err.statusCode >= 500) log.error({ err }, 'alert:ack failed');
            answer({
              ok: false,
              error: err.statusCode && err.statusCode < 500 ? String(err.message) : 'internal error',
            });
          });
      });
    });

    const onAlert = (alert: Alert, change: 'new' | 'update') => {
      const rooms = roomsForPath(alert.path);
      if (rooms.length > 0) io.to(rooms).emit(change === 'new' ? 'alert:new' : 'alert:update', alert);
    };
    const relay = new DeviceStatusRelay({
      devices: app.registry,
      log,
      send: (path, update) => {
        const rooms = roomsForPath(path);
        if (rooms.length > 0) io.to(rooms).emit('device:status', update);
      },
    });
    const onStatus = (change: DeviceStatusChange) => relay.push(change);
    app.bus.on('alert', onAlert);
    app.bus.on('device-status', onStatus);
    const unsubscribe = app.auth.onSessionEnded((hash) => {
      io.in(sessionRoom(hash)).disconnectSockets(true);
    });

    app.decorate('io', io);
    new Gauge({
      name: 'gridwatch_realtime_sockets',
      help: 'Socket.IO clients connected to this instance',
      registers: [app.metrics],
      collect() {
        this.set(io.engine.clientsCount);
      },
    });

    // Open websockets would keep the HTTP server from closing.
    app.addHook('preClose', async () => {
      app.bus.off('alert', onAlert);
      app.bus.off('device-status', onStatus);
      unsubscribe();
      relay.stop();
      io.local.disconnectSockets(true);
    });
    app.addHook('onClose', async () => {
      // The HTTP server is closed by now; Socket.IO only reports that.
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.quit();
    });
  },
  { name: 'realtime', dependencies: ['db', 'bus', 'auth', 'alerts', 'metrics', 'registry'] },
);
