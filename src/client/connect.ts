import { Client, Connection } from '@temporalio/client';
import type { RuntimeEnv } from '../config';

/** A Temporal client for the CLI; the caller closes the connection. */
export async function temporalClient(
  env: RuntimeEnv,
): Promise<{ client: Client; connection: Connection; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  return { client, connection, close: () => connection.close() };
}
