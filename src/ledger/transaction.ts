import type { Pool, PoolClient } from 'pg';

/** Runs the work in one transaction on one pooled connection: committed whole, or rolled back. */
export async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A rollback on a dead connection fails too; the original error is the one to report.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
