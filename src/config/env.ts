import { z } from 'zod';
import { TASK_QUEUE } from '../shared';
import { ConfigError, formatIssues } from './errors';

// The process environment of the worker and the CLI, checked at the edge like the file.

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
