import type { Agent } from 'undici';
import { FusionClient } from './client';
import { createFusionAgent } from './http';
import { TokenProvider } from './token';

export { FusionClient } from './client';
export { FusionError, type FusionErrorKind } from './errors';
export { type ChangeWindow, type ExtractedLine, readJournalLines } from './journalLines';
export { TokenProvider } from './token';

export interface FusionConnectionSettings {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  tokenRefreshSeconds: number;
  pageSize: number;
  frameworkVersion: number;
  requestTimeoutSeconds: number;
}

export interface FusionConnection {
  client: FusionClient;
  tokens: TokenProvider;
  close(): Promise<void>;
}

/** One keep-alive connection pool and token cache per Fusion pod, built once by the worker. */
export function connectFusion(settings: FusionConnectionSettings): FusionConnection {
  const agent: Agent = createFusionAgent({ requestTimeoutSeconds: settings.requestTimeoutSeconds });
  const tokens = new TokenProvider(
    {
      tokenUrl: settings.tokenUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      scope: settings.scope,
      refreshAfterSeconds: settings.tokenRefreshSeconds,
    },
    agent,
  );
  const client = new FusionClient(
    { baseUrl: settings.baseUrl, frameworkVersion: settings.frameworkVersion, pageSize: settings.pageSize },
    tokens,
    agent,
  );
  return { client, tokens, close: () => agent.close() };
}
