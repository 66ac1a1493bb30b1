import { connectFusion, type FusionConnection, type FusionConnectionSettings } from '../../src/fusion';

// The connector's own Fusion client for a simulator at `url`, as the tests use it: OAuth with the
// simulator's default scope, framework version 4, and the test's own settings over those.

const SCOPE = 'urn:opc:resource:fa:instanceid=700000001urn:opc:resource:consumer::all';

export function connectToSimulator(
  url: string,
  credentials: { clientId: string; clientSecret: string },
  settings: Partial<FusionConnectionSettings> & { pageSize: number },
): FusionConnection {
  // Each test says what it needs; a timeout and the framework version are filled in otherwise.
  return connectFusion({
    requestTimeoutSeconds: 10,
    baseUrl: `${url}/fscmRestApi/resources/11.13.18.05`,
    auth: {
      type: 'oauth',
      tokenUrl: `${url}/oauth2/v1/token`,
      ...credentials,
      scope: SCOPE,
      tokenRefreshSeconds: 3300,
    },
    frameworkVersion: 4,
    ...settings,
  } as FusionConnectionSettings);
}
