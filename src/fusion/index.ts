import { type AuthProvider, BasicAuthProvider, OAuthProvider } from './auth';
import { FusionClient, type FusionLimits, fusionLimits } from './client';
import { createFusionAgent, type FusionProxy } from './http';
import { TokenProvider } from './token';

export { BasicAuthProvider, OAuthProvider } from './auth';
export { DEFAULT_FUSION_LIMITS, FusionClient, type FusionLimits } from './client';
export type { ChangeWindow, ReadOptions } from './documents';
export { type Extracted, entityReaders, readChanges, readRecordsById } from './entities';
export { FusionError, type FusionErrorKind } from './errors';
export type { FusionProxy } from './http';
export { TokenProvider } from './token';

export type FusionAuthSettings =
  | {
      type: 'oauth';
      tokenUrl: string;
      clientId: string;
      scope: string;
      tokenRefreshSeconds: number;
      clientSecret: string;
    }
  | { type: 'basic'; username: string; password: string };

export interface FusionConnectionSettings {
  baseUrl: string;
  auth: FusionAuthSettings;
  pageSize: number;
  frameworkVersion: number;
  requestTimeoutSeconds: number;
  parallelPages?: number;
  /** In-call retries of a throttled or failing GET before the error goes to Temporal (default 3). */
  transientRetries?: number;
  /** Bounds on answers and paging (config `fusion.limits`); the defaults where not given. */
  limits?: Partial<FusionLimits>;
  /** Config `fusion.proxy` (password resolved); without it HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply. */
  proxy?: FusionProxy;
}

export interface FusionConnection {
  client: FusionClient;
  auth: AuthProvider;
  close(): Promise<void>;
}

/** One keep-alive connection pool and one credential per Fusion pod, built once by the worker. */
export function connectFusion(settings: FusionConnectionSettings): FusionConnection {
  const limits = fusionLimits(settings.limits);
  const agent = createFusionAgent({
    requestTimeoutSeconds: settings.requestTimeoutSeconds,
    connections: Math.max(8, 2 * (settings.parallelPages ?? 1)),
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
  });
  const { auth: a } = settings;
  const auth: AuthProvider =
    a.type === 'oauth'
      ? new OAuthProvider(
          new TokenProvider(
            {
              tokenUrl: a.tokenUrl,
              clientId: a.clientId,
              clientSecret: a.clientSecret,
              scope: a.scope,
              refreshAfterSeconds: a.tokenRefreshSeconds,
              maxRetryAfterSeconds: limits.maxRetryAfterSeconds,
            },
            agent,
          ),
        )
      : new BasicAuthProvider(a.username, a.password);
  const client = new FusionClient(
    {
      baseUrl: settings.baseUrl,
      frameworkVersion: settings.frameworkVersion,
      pageSize: settings.pageSize,
      parallelPages: settings.parallelPages ?? 1,
      transientRetries: settings.transientRetries,
      limits,
    },
    auth,
    agent,
  );
  return { client, auth, close: () => agent.close() };
}
