import { createHash, randomBytes } from 'node:crypto';
import type { User } from '@gridwatch/devices';
import type pg from 'pg';
import { toUser } from './users.ts';

/**
 * Sessions: the client holds a random token, the database only its SHA-256, so a leaked
 * table opens no session.
 */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface Session {
  user: User;
  tokenHash: string;
  expiresAt: Date;
}

interface SessionRow {
  username: string;
  display_name: string;
  role: User['role'];
  roles: User['roles'];
  region_id: string;
  unit_id: string | null;
  token_hash: string;
  expires_at: Date;
}

export function createSessionStore(db: pg.Pool, ttlHours: number) {
  return {
    async create(username: string): Promise<{ token: string; expiresAt: Date }> {
      const token = newToken();
      const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
      await db.query('INSERT INTO sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)', [
        tokenHash(token),
        username,
        expiresAt,
      ]);
      return { token, expiresAt };
    },

    /** The live session of `token`, or null (unknown, expired, or its user deleted or disabled). */
    async find(token: string): Promise<Session | null> {
      // Tokens are 43 base64url characters; anything else cannot be one of ours.
      if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return null;
      const { rows } = await db.query<SessionRow>(
        `SELECT u.username, u.display_name, u.role, u.roles, u.region_id, u.unit_id, s.token_hash, s.expires_at
           FROM sessions s JOIN users u ON u.username = s.username
          WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
        [tokenHash(token)],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        user: toUser(row),
        tokenHash: row.token_hash,
        expiresAt: row.expires_at,
      };
    },

    /** Ends every session of a user (disabled, or password reset); returns their token hashes. */
    async removeAllOf(username: string): Promise<string[]> {
      const { rows } = await db.query<{ token_hash: string }>(
        'DELETE FROM sessions WHERE username = $1 RETURNING token_hash',
        [username],
      );
      return rows.map((r) => r.token_hash);
    },

    async remove(hash: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE token_hash = $1', [hash]);
    },

    async purgeExpired(): Promise<number> {
      const { rowCount } = await db.query('DELETE FROM sessions WHERE expires_at <= now()');
      return rowCount ?? 0;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
