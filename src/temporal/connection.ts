import { existsSync } from 'node:fs';
import { type ClientConnectConfig, loadClientConnectConfig } from '@temporalio/envconfig';
import { ConfigError } from '../config';

// Where the worker and the CLI find Temporal: Temporal's own client configuration, read by
// @temporalio/envconfig the way the `temporal` CLI and the other SDKs read it. A profile from a
// TOML file (TEMPORAL_CONFIG_FILE, default ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE,
// default "default"), then the environment on top: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH|_DATA, TEMPORAL_TLS_CLIENT_KEY_PATH|_DATA,
// TEMPORAL_TLS_SERVER_CA_CERT_PATH|_DATA, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_GRPC_META_<HEADER>.
// An API key turns TLS on unless TEMPORAL_TLS=false (or the profile's tls.disabled) says otherwise.
// Nothing given: a local dev server on 127.0.0.1:7233, namespace "default".

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

type ConnectionOptions = ClientConnectConfig['connectionOptions'] & { address: string };

/** What may be logged or printed of the target: whether there is an API key, never the key. */
export interface TemporalSummary {
  address: string;
  namespace: string;
  tls: boolean;
  apiKey: boolean;
  /** The profile's name when one was asked for (TEMPORAL_PROFILE). */
  profile?: string;
}

/**
 * A Temporal server and namespace with the options to connect to it. The options (API key, TLS
 * key) are held in a private field: logging or JSON-printing a target shows only its summary.
 */
export class TemporalTarget {
  readonly #options: ConnectionOptions;
  readonly address: string;
  readonly namespace: string;
  readonly summary: TemporalSummary;

  constructor(options: ConnectionOptions, namespace: string, profile?: string) {
    this.#options = options;
    this.address = options.address;
    this.namespace = namespace;
    this.summary = {
      address: options.address,
      namespace,
      tls: options.tls !== undefined && options.tls !== null && options.tls !== false,
      apiKey: options.apiKey !== undefined,
      ...(profile ? { profile } : {}),
    };
  }

  /** For NativeConnection.connect (the worker) and Connection.connect (the CLI). */
  connectionOptions(): ConnectionOptions {
    return { ...this.#options };
  }

  toJSON(): TemporalSummary {
    return this.summary;
  }

  /** `127.0.0.1:7233 (namespace default, TLS, API key)`: for messages. */
  describe(): string {
    const { address, namespace, tls, apiKey, profile } = this.summary;
    const parts = [`namespace ${namespace}`, tls ? 'TLS' : 'no TLS'];
    if (apiKey) parts.push('API key');
    if (profile) parts.push(`profile ${profile}`);
    return `${address} (${parts.join(', ')})`;
  }
}

const BOOLEAN_VARS = ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'];

/**
 * Reads the target from `env` (default: this process's environment) and the profile file. A
 * mistake is a ConfigError naming the variable or the file, never quoting a value from the file.
 */
export function loadTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  // An empty variable counts as unset (compose files often pass `TEMPORAL_API_KEY: ${KEY:-}`),
  // except TEMPORAL_GRPC_META_*, where empty removes a header the profile sets.
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value === '' && name.startsWith('TEMPORAL_') && !name.startsWith('TEMPORAL_GRPC_META_')) continue;
    vars[name] = value;
  }
  for (const name of BOOLEAN_VARS) {
    const value = vars[name];
    if (value !== undefined && !['true', 'false', '1', '0'].includes(value)) {
      throw new ConfigError(`${name} must be true, false, 1 or 0 (got "${value}")`);
    }
  }
  if (
    vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' ||
    vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1'
  ) {
    throw new ConfigError(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the TypeScript SDK: ' +
        "set TEMPORAL_TLS_SERVER_NAME to the name in the server's certificate instead",
    );
  }
  const file = vars.TEMPORAL_CONFIG_FILE;
  // envconfig treats a missing file as "no file"; one named explicitly must exist.
  if (file !== undefined && !existsSync(file)) {
    throw new ConfigError(`TEMPORAL_CONFIG_FILE: ${file} does not exist`);
  }
  const where = file ? `TEMPORAL_CONFIG_FILE ${file}` : 'the Temporal client configuration';
  let loaded: ClientConnectConfig;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: vars });
  } catch (err) {
    throw new ConfigError(`${where}: ${safeMessage(err)}`);
  }
  const options: ConnectionOptions = {
    ...loaded.connectionOptions,
    address: loaded.connectionOptions.address || DEFAULT_TEMPORAL_ADDRESS,
  };
  // Leave out what is not set, so each SDK applies its own default.
  for (const key of ['apiKey', 'tls', 'metadata'] as const) {
    if (options[key] === undefined) delete options[key];
  }
  return new TemporalTarget(options, loaded.namespace || DEFAULT_TEMPORAL_NAMESPACE, vars.TEMPORAL_PROFILE);
}

/**
 * A TOML syntax error (smol-toml's TomlError, with line and column) quotes the offending lines,
 * which may hold an API key: only its position is given.
 */
function safeMessage(err: unknown): string {
  const { line, column } = (err ?? {}) as { line?: unknown; column?: unknown };
  if (typeof line === 'number' && typeof column === 'number') {
    return `not valid TOML (line ${line}, column ${column})`;
  }
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return `cannot read ${(err as NodeJS.ErrnoException).path ?? 'a file it names'} (no such file)`;
  }
  return err instanceof Error ? err.message : String(err);
}
