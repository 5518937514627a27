import type { LoginNotice, Role, User } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { SeedUser } from './demo-users.ts';
import { hashPassword } from './password.ts';

/** The pool, or a client inside a transaction. */
type Queryable = pg.Pool | pg.PoolClient;

interface UserRow {
  username: string;
  display_name: string;
  role: Role;
  roles: Role[];
  region_id: string;
  unit_id: string | null;
  disabled_at: Date | null;
  password_hash: string;
}

/** A user as stored, without the password hash. */
export interface UserRecord extends User {
  disabledAt: Date | null;
}

const COLUMNS = 'username, display_name, role, roles, region_id, unit_id, disabled_at';

export function toUser(row: Omit<UserRow, 'password_hash' | 'disabled_at'>): User {
  return {
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    roles: row.roles,
    regionId: row.region_id,
    unitId: row.unit_id,
  };
}

function toRecord(row: Omit<UserRow, 'password_hash'>): UserRecord {
  return { ...toUser(row), disabledAt: row.disabled_at };
}

/** What an edit may change; absent fields stay. `roles[0]` becomes the primary role. */
export interface UserPatch {
  displayName?: string;
  roles?: Role[];
  regionId?: string;
  unitId?: string | null;
}

/**
 * The users table; only this repository writes it. Region ids are not foreign keys: users
 * are seeded before regions are imported.
 */
export function createUserStore(db: pg.Pool) {
  return {
    async withHash(
      username: string,
    ): Promise<{ user: User; passwordHash: string; disabled: boolean } | null> {
      const { rows } = await db.query<UserRow>(
        `SELECT ${COLUMNS}, password_hash FROM users WHERE username = $1`,
        [username],
      );
      const row = rows[0];
      return row
        ? { user: toUser(row), passwordHash: row.password_hash, disabled: row.disabled_at !== null }
        : null;
    },

    async get(username: string, q: Queryable = db): Promise<UserRecord | null> {
      const { rows } = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /** Every user, for the organisation directory. */
    async all(q: Queryable = db): Promise<UserRecord[]> {
      const { rows } = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
      return rows.map(toRecord);
    },

    /** A wrong password for an existing user: told to them at their next successful login. */
    async noteFailedLogin(username: string, at: Date): Promise<void> {
      await db.query(
        'UPDATE users SET failed_logins = failed_logins + 1, last_failed_login_at = $2 WHERE username = $1',
        [username, at],
      );
    },

    /**
     * A successful login: the failed attempts since the previous one (and when the last of
     * them and that previous login were), then counting starts again.
     */
    async recordLogin(username: string, at: Date): Promise<LoginNotice> {
      const { rows } = await db.query<{
        failed_logins: number;
        last_failed_login_at: Date | null;
        last_login_at: Date | null;
      }>(
        `WITH prev AS (
           SELECT username, failed_logins, last_failed_login_at, last_login_at FROM users WHERE username = $1 FOR UPDATE
         )
         UPDATE users u SET failed_logins = 0, last_login_at = $2 FROM prev WHERE u.username = prev.username
         RETURNING prev.failed_logins, prev.last_failed_login_at, prev.last_login_at`,
        [username, at],
      );
      const row = rows[0];
      return {
        failedAttempts: row?.failed_logins ?? 0,
        lastFailedAt: row?.last_failed_login_at?.toISOString() ?? null,
        previousLoginAt: row?.last_login_at?.toISOString() ?? null,
      };
    },

    /** Users whose region lies in `regionId`'s subtree, and those whose region is not imported yet. */
    async listInRegion(regionId: string): Promise<UserRecord[]> {
      const { rows } = await db.query<UserRow>(
        `WITH RECURSIVE sub AS (
           SELECT id FROM regions WHERE id = $1
           UNION SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id)
         SELECT ${COLUMNS} FROM users
          WHERE region_id = $1 OR region_id IN (SELECT id FROM sub)
             -- seeded before the regions were imported: shown rather than hidden
             OR NOT EXISTS (SELECT 1 FROM regions WHERE id = users.region_id)
          ORDER BY username`,
        [regionId],
      );
      return rows.map(toRecord);
    },

    /** False when the username is taken. */
    async create(user: User, password: string, q: Queryable = db): Promise<boolean> {
      const hash = await hashPassword(password);
      const { rowCount } = await q.query(
        `INSERT INTO users (username, display_name, password_hash, role, roles, region_id, unit_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING`,
        [
          user.username,
          user.displayName,
          hash,
          user.roles[0] ?? user.role,
          user.roles,
          user.regionId,
          user.unitId,
        ],
      );
      return rowCount === 1;
    },

    /** Applies the patch; null when there is no such user. */
    async update(username: string, patch: UserPatch, q: Queryable = db): Promise<UserRecord | null> {
      const { rows } = await q.query<UserRow>(
        `UPDATE users SET
           display_name = COALESCE($2, display_name),
           role = COALESCE(($3::text[])[1], role),
           roles = COALESCE($3::text[], roles),
           region_id = COALESCE($4, region_id),
           unit_id = CASE WHEN $5 THEN $6 ELSE unit_id END,
           updated_at = now()
         WHERE username = $1 RETURNING ${COLUMNS}`,
        [
          username,
          patch.displayName ?? null,
          patch.roles ?? null,
          patch.regionId ?? null,
          patch.unitId !== undefined,
          patch.unitId ?? null,
        ],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    /** Disables (keeping the first time) or enables; null when there is no such user. */
    async setDisabled(username: string, disabled: boolean, q: Queryable = db): Promise<UserRecord | null> {
      const { rows } = await q.query<UserRow>(
        `UPDATE users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) ELSE NULL END,
                updated_at = now()
          WHERE username = $1 RETURNING ${COLUMNS}`,
        [username, disabled],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async setPassword(username: string, password: string, q: Queryable = db): Promise<boolean> {
      const hash = await hashPassword(password);
      const { rowCount } = await q.query(
        'UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1',
        [username, hash],
      );
      return rowCount === 1;
    },

    /**
     * Creates the users that do not exist yet; an existing user (and their password) is left
     * alone. Returns the usernames created now.
     */
    async seed(users: Array<SeedUser & { password: string }>, log: FastifyBaseLogger): Promise<string[]> {
      if (users.length === 0) return [];
      const { rows } = await db.query<{ username: string }>(
        'SELECT username FROM users WHERE username = ANY($1::text[])',
        [users.map((u) => u.username)],
      );
      const existing = new Set(rows.map((r) => r.username));
      const missing = users.filter((u) => !existing.has(u.username));
      // The demo users share one public demo password: hash it once, not once per user
      // (scrypt is slow on purpose, and every test server seeds them).
      const hashes = new Map<string, Promise<string>>();
      for (const u of missing) if (!hashes.has(u.password)) hashes.set(u.password, hashPassword(u.password));
      const created: string[] = [];
      for (const u of missing) {
        const roles = u.roles ?? [u.role];
        const { rowCount } = await db.query(
          `INSERT INTO users (username, display_name, password_hash, role, roles, region_id, unit_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING`,
          [
            u.username,
            u.displayName,
            await hashes.get(u.password)!,
            roles[0],
            roles,
            u.regionId,
            u.unitId ?? null,
          ],
        );
        if (rowCount === 1) created.push(u.username);
      }
      if (created.length > 0) log.info({ users: created }, 'seeded users');
      return created;
    },

    /** Ancestors of a region, itself first; empty when the region is not imported. */
    async regionLineage(regionId: string): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `WITH RECURSIVE up AS (
           SELECT id, parent_id, 0 AS depth FROM regions WHERE id = $1
           UNION ALL SELECT r.id, r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.parent_id
             WHERE up.depth < 10)
         SELECT id FROM up ORDER BY depth`,
        [regionId],
      );
      return rows.map((r) => r.id);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
