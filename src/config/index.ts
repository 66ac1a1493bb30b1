import { z } from 'zod';
import { TASK_QUEUE } from '../shared';
import { loadConfig } from './load';
import { type ConfigFile, configFileSchema, type IntegrationConfig } from './schema';

export * from './schema';

/** A configuration problem, worded for the finance or integration admin who has to fix it. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'ConfigError';
  }
}

const runtimeEnvSchema = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is empty').optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  ML_CONNECTOR_TASK_QUEUE: z.string().default(TASK_QUEUE),
  /** Where the worker serves Prometheus metrics (GET /metrics); 0 turns the endpoint off. */
  ML_CONNECTOR_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  ML_CONNECTOR_METRICS_HOST: z.string().default('127.0.0.1'),
  ML_CONNECTOR_CONFIG: z.string().default('ml-connector.config.json'),
  /** A workflow bundle built by `npm run build:workflows`; without it the worker bundles at start. */
  ML_CONNECTOR_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
});

export type RuntimeEnv = z.infer<typeof runtimeEnvSchema>;

export function readRuntimeEnv(env: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const parsed = runtimeEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError('Environment is not valid:', formatIssues(parsed.error));
  return parsed.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path) || '(top level)'}: ${issue.message}`);
}

/** Validates an already-parsed config object; every problem is reported at once. */
export function parseConfig(raw: unknown, source = 'configuration'): ConfigFile {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${source} is not valid:`, formatIssues(parsed.error));
  return parsed.data;
}

/** Reads and validates the YAML or JSON file; problems point at file:line:column (see ./load). */
export function loadConfigFile(path: string): ConfigFile {
  return loadConfig(path);
}

export function findIntegration(config: ConfigFile, id: string): IntegrationConfig {
  const found = config.integrations.find((i) => i.id === id);
  if (!found) {
    throw new ConfigError(
      `No integration "${id}" in the configuration. Known: ${config.integrations.map((i) => i.id).join(', ')}`,
    );
  }
  return found;
}
