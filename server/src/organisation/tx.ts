import type pg from 'pg';

/** The pool, or a client checked out of it (inside a transaction): repositories take either. */
export type Queryable = pg.Pool | pg.PoolClient;

/** BEGIN, the work, COMMIT; ROLLBACK and rethrow when the work throws. */
export async function inTransaction<T>(db: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
