import type pg from 'pg';

/** The pool, or a client checked out of it (inside a transaction): repositories take either. */
export type Queryable = pg.Pool | pg.PoolClient;

function isClient(db: Queryable): db is pg.PoolClient {
  return typeof (db as pg.PoolClient).release === 'function';
}

/**
 * Runs `work` in one transaction: BEGIN, then COMMIT when it resolves or ROLLBACK when it
 * throws (the work's error is rethrown, never a failed ROLLBACK's). Given the pool, it
 * checks a client out and releases it after; given a client the caller already holds (the
 * migrations under their lock, an ingest batch), it runs on that client and leaves it held.
 */
export async function inTransaction<T>(db: Queryable, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = isClient(db) ? db : await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    if (client !== db) client.release();
  }
}
