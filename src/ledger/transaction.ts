import type { Pool, PoolClient } from 'pg';

/** Runs the work in one transaction on one pooled connection: committed whole, or rolled back. */
export async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no 'error' listener of the pool's: when Postgres ends the session
  // between two queries (a restart, a failover, pg_terminate_backend), the client emits 'error'
  // and, unheard, that crashes the process. Heard here, the next query fails instead, the
  // transaction's caller gets that failure (and retries), and the client is discarded below.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A rollback on a dead connection fails too; the original error is the one to report.
    await client.query('ROLLBACK').catch((rollbackFailed: Error) => {
      broken ??= rollbackFailed;
    });
    throw err;
  } finally {
    client.off('error', onError);
    // A connection that failed must not go back to the pool for the next transaction.
    client.release(broken);
  }
}
