import { once } from 'node:events';
import { ConfigError, loadConfigFile, type RuntimeEnv } from '../config';
import { Ledger } from '../ledger';
import { checkBind, readUiAuth, UiAuthError } from './auth';
import { startUiServer } from './server';

// `ml-connector ui [--host H] [--port P]`: serves the audit page until SIGINT or SIGTERM.

export const UI_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
} as const;

export const DEFAULT_UI_HOST = '127.0.0.1';
export const DEFAULT_UI_PORT = 8480;
export const DEFAULT_TEMPORAL_UI_URL = 'http://127.0.0.1:8233';

/** The Temporal Web UI's base URL (ML_CONNECTOR_TEMPORAL_UI_URL): http or https, nothing else. */
export function temporalUiUrl(env: NodeJS.ProcessEnv): string {
  const value = env.ML_CONNECTOR_TEMPORAL_UI_URL || DEFAULT_TEMPORAL_UI_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('ML_CONNECTOR_TEMPORAL_UI_URL is not a URL (e.g. http://127.0.0.1:8233).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('ML_CONNECTOR_TEMPORAL_UI_URL must be an http or https URL.');
  }
  if (url.username || url.password) {
    throw new ConfigError('ML_CONNECTOR_TEMPORAL_UI_URL may not hold a user name or password.');
  }
  return url.href.replace(/\/+$/, '');
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_UI_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError('--port must be a whole number from 0 to 65535.');
  }
  return Number(value);
}

export async function uiCommand(env: RuntimeEnv, flags: { host?: string; port?: string }): Promise<void> {
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is not set.');
  const host = flags.host ?? DEFAULT_UI_HOST;
  const port = parsePort(flags.port);
  let auth: ReturnType<typeof readUiAuth>;
  try {
    auth = readUiAuth(process.env);
    checkBind(host, auth); // before anything else is read or connected
  } catch (err) {
    if (err instanceof UiAuthError) throw new ConfigError(err.message);
    throw err;
  }
  const temporal = { baseUrl: temporalUiUrl(process.env), namespace: env.TEMPORAL_NAMESPACE };
  // Only the file: the page shows configuration (schedules, destinations), never a secret, and
  // needs none, so secrets are not resolved here.
  const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
  const ledger = Ledger.connect(env.DATABASE_URL, (err) => console.error(`ledger: ${err.message}`));
  try {
    const server = await startUiServer({
      ledger,
      config,
      host,
      port,
      auth,
      temporal,
      onError: (err) => console.error(`ui: ${(err as Error).message}`),
    }).catch((err: unknown) => {
      if (err instanceof UiAuthError) throw new ConfigError(err.message);
      throw err;
    });
    const protection = auth.token || auth.basic ? 'sign-in required' : 'no sign-in (loopback only)';
    console.error(`Audit page on ${server.url}/ (${protection}); Ctrl-C stops it.`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await server.close();
  } finally {
    await ledger.close();
  }
}
