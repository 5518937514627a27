import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type pg from 'pg';
import { setUpTimescale } from './timescale.ts';
import { inTransaction } from './transaction.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** Arbitrary constant: one migrating instance at a time. */
const MIGRATION_LOCK = 727_001;

export interface MigrationResult {
  applied: string[];
  timescale: { enabled: boolean; version: string | null };
}

/**
 * Applies `migrations/*.sql` in name order, each once, inside a transaction, under an
 * advisory lock so several instances starting together do not race. Safe to run again.
 */
export async function migrate(pool: pg.Pool, log: Logger): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(join(MIGRATIONS_DIR.pathname, file), 'utf8');
      try {
        await inTransaction(client, async (tx) => {
          await tx.query(sql);
          await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        });
      } catch (err) {
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
      applied.push(file);
      log.info({ migration: file }, 'migration applied');
    }
    const timescale = await setUpTimescale(client, log);
    return { applied, timescale };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
