import type { User } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { SeedUser } from './demo-users.ts';
import { hashPassword } from './password.ts';

interface UserRow {
  username: string;
  display_name: string;
  role: User['role'];
  region_id: string;
  password_hash: string;
}

function toUser(row: UserRow): User {
  return { username: row.username, displayName: row.display_name, role: row.role, regionId: row.region_id };
}

/** Users table access. Region ids are not foreign keys: users are seeded before regions are imported. */
export function createUserStore(db: pg.Pool) {
  return {
    async withHash(username: string): Promise<{ user: User; passwordHash: string } | null> {
      const { rows } = await db.query<UserRow>(
        'SELECT username, display_name, role, region_id, password_hash FROM users WHERE username = $1',
        [username],
      );
      const row = rows[0];
      return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
    },

    /** Users whose region lies in `regionId`'s subtree, and those whose region is not imported yet. */
    async listInRegion(regionId: string): Promise<User[]> {
      const { rows } = await db.query<UserRow>(
        `WITH RECURSIVE sub AS (
           SELECT id FROM regions WHERE id = $1
           UNION SELECT r.id FROM regions r JOIN sub ON r.parent_id = sub.id)
         SELECT username, display_name, role, region_id, password_hash FROM users
          WHERE region_id = $1 OR region_id IN (SELECT id FROM sub)
             -- seeded before the regions were imported: shown rather than hidden
             OR NOT EXISTS (SELECT 1 FROM regions WHERE id = users.region_id)
          ORDER BY username`,
        [regionId],
      );
      return rows.map(toUser);
    },

    /** False when the username is taken. */
    async create(user: User, password: string): Promise<boolean> {
      const hash = await hashPassword(password);
      const { rowCount } = await db.query(
        `INSERT INTO users (username, display_name, password_hash, role, region_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
        [user.username, user.displayName, hash, user.role, user.regionId],
      );
      return rowCount === 1;
    },

    /** Creates the users that do not exist yet; an existing user (and their password) is left alone. */
    async seed(users: Array<SeedUser & { password: string }>, log: FastifyBaseLogger): Promise<number> {
      if (users.length === 0) return 0;
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
      let count = 0;
      for (const u of missing) {
        const { rowCount } = await db.query(
          `INSERT INTO users (username, display_name, password_hash, role, region_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
          [u.username, u.displayName, await hashes.get(u.password)!, u.role, u.regionId],
        );
        count += rowCount ?? 0;
      }
      if (count > 0) log.info({ users: missing.map((u) => u.username) }, 'seeded users');
      return count;
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
