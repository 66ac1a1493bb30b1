import type { Pool, PoolClient } from 'pg';

/**
 * Runs the work on one pooled connection of its own, released after it; `discard` marks the
 * connection as not fit to go back to the pool (a failed rollback).
 */
export async function withConnection<T>(
  pool: Pool,
  work: (c: PoolClient, discard: (err: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no 'error' listener of the pool's: when Postgres ends the session
  // between two queries (a restart, a failover, pg_terminate_backend), the client emits 'error'
  // and, unheard, that crashes the process. Heard here, the next query fails instead, the
  // caller gets that failure (and retries), and the client is discarded below.
  let broken: Error | undefined;
  const discard = (err: Error) => {
    broken ??= err;
  };
  client.on('error', discard);
  try {
    return await work(client, discard);
  } finally {
    client.off('error', discard);
    // A connection that failed must not go back to the pool for the next caller.
    client.release(broken);
  }
}

/** Runs the work in one transaction on one pooled connection: committed whole, or rolled back. */
export function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, async (client, discard) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A rollback on a dead connection fails too; the original error is the one to report.
      await client.query('ROLLBACK').catch(discard);
      throw err;
    }
  });
}
