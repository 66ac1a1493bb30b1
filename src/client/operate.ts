import { setTimeout as sleep } from 'node:timers/promises';
import { findIntegration, loadConfigFile, type RuntimeEnv } from '../config';
import { frameworkLimitations } from '../fusion/framework';
import type { ResyncRequest } from '../shared/integrationWorkflow';
import { temporalClient } from './connect';
import {
  integrationStatus,
  pauseIntegration,
  progressBar,
  requestResync,
  startIntegration,
} from './integration';

// `start`, `status`, `resync`, `pause`, `resume`: the integration workflow from the command line.

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function parseResyncArgs(args: string[]): ResyncRequest {
  const reason = flag(args, '--reason');
  if (!reason) throw new Error('resync needs --reason "…" (it is recorded with every resent record)');
  const windowHours = flag(args, '--window-hours') ? Number(flag(args, '--window-hours')) : undefined;
  const common = { reason, ...(windowHours ? { windowHours } : {}) };
  if (args.includes('--all')) return { mode: 'all', ...common };
  const since = flag(args, '--since');
  if (since) return { mode: 'since', since, ...common };
  const from = flag(args, '--from');
  const to = flag(args, '--to');
  if (from && to) return { mode: 'range', from, to, ...common };
  const records = flag(args, '--records');
  if (records)
    return {
      mode: 'records',
      recordIds: records
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      ...common,
    };
  throw new Error('resync needs one of --all, --since DATE, --from DATE --to DATE, --records ID,ID');
}

export async function operateCommand(env: RuntimeEnv, verb: string, integrationId: string, args: string[]) {
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
        const ack = await requestResync(client, integrationId, parseResyncArgs(args));
        if (!args.includes('--wait')) return ack;
        // Follow it: a progress bar from the status query until this resync is done.
        let seen = false;
        for (;;) {
          const { resync } = await integrationStatus(client, integrationId);
          const current = resync.current;
          if (current) {
            seen = true;
            process.stderr.write(`\r${progressBar(current.windowsDone, current.windowsTotal, current.sent)}`);
          } else if (seen || resync.queued === 0) {
            process.stderr.write('\n');
            return await integrationStatus(client, integrationId);
          }
          await sleep(500);
        }
      }
      default:
        throw new Error(`unknown verb ${verb}`);
    }
  } finally {
    await close();
  }
}
