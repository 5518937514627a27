import type { FastifyBaseLogger as Logger } from 'fastify';
import type pg from 'pg';

/** Chunk interval for raw tables: a day of a district's readings is a few GB at most. */
const CHUNK_INTERVAL = '1 day';

/**
 * Turns telemetry and events into hypertables where the TimescaleDB extension is
 * available. Plain PostgreSQL and PGlite keep ordinary tables with the same schema.
 */
export async function setUpTimescale(
  client: pg.PoolClient,
  log: Logger,
): Promise<{ enabled: boolean; version: string | null }> {
  const available = await client.query<{ default_version: string }>(
    "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'",
  );
  if (available.rowCount === 0) return { enabled: false, version: null };
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  } catch (err) {
    // Present but not preloaded (shared_preload_libraries): run on plain tables.
    log.warn({ err }, 'timescaledb extension could not be created; using plain tables');
    return { enabled: false, version: null };
  }
  for (const table of ['telemetry', 'events']) {
    await client.query(
      `SELECT create_hypertable($1::regclass, 'ts', chunk_time_interval => $2::interval, if_not_exists => true, migrate_data => true, create_default_indexes => false)`,
      [table, CHUNK_INTERVAL],
    );
  }
  const version = await client.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'",
  );
  return { enabled: true, version: version.rows[0]?.extversion ?? null };
}
