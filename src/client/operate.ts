import { findIntegration, loadConfigFile, type RuntimeEnv } from '../config';
import { frameworkLimitations } from '../fusion/framework';
import type { ResyncRequest } from '../shared/integrationWorkflow';
import { temporalClient } from './connect';
import { integrationStatus, pauseIntegration, startIntegration } from './integration';
import { splitKeys } from './recordKeys';
import { type ResyncOrder, resolveRequestRecords, runResync } from './resync';

// `start`, `status`, `resync`, `pause`, `resume`: the integration workflow from the command line.

/** `resync`'s flags, for parseVerbArgs. */
export const RESYNC_OPTIONS = {
  all: { type: 'boolean' },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'window-hours': { type: 'string' },
  records: { type: 'string' },
  reason: { type: 'string' },
  wait: { type: 'boolean' },
} as const;

export interface ResyncFlags {
  all?: boolean;
  since?: string;
  from?: string;
  to?: string;
  'window-hours'?: string;
  records?: string;
  reason?: string;
}

export function parseResyncArgs(flags: ResyncFlags): ResyncRequest {
  const { reason } = flags;
  if (!reason) throw new Error('resync needs --reason "…" (it is recorded with every resent record)');
  const windowHours = flags['window-hours'] ? Number(flags['window-hours']) : undefined;
  const common = { reason, ...(windowHours ? { windowHours } : {}) };
  if (flags.all) return { mode: 'all', ...common };
  const { since, from, to, records } = flags;
  if (since) return { mode: 'since', since, ...common };
  if (from && to) return { mode: 'range', from, to, ...common };
  if (records)
    return {
      mode: 'records',
      recordIds: splitKeys(records),
      ...common,
    };
  throw new Error('resync needs one of --all, --since DATE, --from DATE --to DATE, --records ID,ID');
}

export type { ResyncOrder } from './resync';

export async function operateCommand(
  env: RuntimeEnv,
  verb: string,
  integrationId: string,
  resync?: ResyncOrder,
) {
  const { client, connection, close } = await temporalClient(env);
  try {
    switch (verb) {
      case 'start': {
        const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
        return await startIntegration(client, connection, env, findIntegration(config, integrationId));
      }
      case 'status': {
        const status = await integrationStatus(client, integrationId);
        // What this integration's framework version cannot detect, from the configuration.
        const config = loadConfigFile(env.ML_CONNECTOR_CONFIG);
        const limitations = frameworkLimitations(
          findIntegration(config, integrationId).fusion.frameworkVersion,
        );
        return limitations.length ? { ...status, limitations } : status;
      }
      case 'pause':
      case 'resume':
        await pauseIntegration(client, integrationId, verb === 'pause');
        return { integrationId, paused: verb === 'pause' };
      case 'resync': {
        if (!resync) throw new Error('resync needs its flags');
        // Any integration, scheduled or not; records by internal ID or business number.
        const request = await resolveRequestRecords(env, integrationId, resync.request);
        return await runResync(client, env, integrationId, { ...resync, request });
      }
      default:
        throw new Error(`unknown verb ${verb}`);
    }
  } finally {
    await close();
  }
}
