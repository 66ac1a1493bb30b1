import { writeFileSync } from 'node:fs';
import { auditFiles, auditRecords, reconcile, reconcileDestination, toCsv, toJson } from '../audit';
import type { RuntimeEnv } from '../config';
import { previewNextFile } from '../preview';
import { listRemoteFolder } from '../sftp';
import { replayWorkflowId } from '../shared/workflowIds';
import { replayFile } from '../workflows';
import { UsageError } from './args';
import { requireWorker, temporalClient, whileWorkerPolls } from './connect';
import { aboutWorkflow } from './failure';
import { resolveRecordIds } from './recordKeys';
import { withRuntime } from './runtime';

// `integrations`, `audit`, `reconcile`, `replay`, `preview`: the admin's answers to
// "what did we send, is it all there, send it again, what would go next".

/** `audit`'s flags, for parseVerbArgs. */
export const AUDIT_OPTIONS = {
  integration: { type: 'string' },
  record: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
} as const;

export interface AuditFlags {
  integration?: string;
  record?: string;
  from?: string;
  to?: string;
  limit?: string;
  format?: string;
}

export async function integrationsCommand(verb: string | undefined) {
  return withRuntime(async ({ config, ledger, env }) => {
    if (verb === 'validate')
      return `${env.ML_CONNECTOR_CONFIG} is valid: ${config.integrations.map((i) => i.id).join(', ')}`;
    const rows = await ledger.registeredIntegrations();
    const configured = new Set(config.integrations.map((i) => i.id));
    return rows.map((r) => ({ ...r, inConfig: configured.has(r.id) }));
  });
}

/** `audit records|files [--integration ID] [--record ID] [--from T] [--to T] [--format csv|json]`. */
export async function auditCommand(verb: string | undefined, flags: AuditFlags): Promise<string> {
  return withRuntime(async ({ ledger }) => {
    const filter = {
      integrationId: flags.integration,
      from: flags.from,
      to: flags.to,
      limit: flags.limit ? Number(flags.limit) : undefined,
    };
    const csv = flags.format === 'csv';
    if (verb === 'files') {
      const files = await auditFiles(ledger, filter);
      return csv ? toCsv(files) : toJson(files);
    }
    if (verb !== 'records') throw new UsageError('audit: records or files?');
    // --record takes an internal ID or a business number; one that names nothing is an error.
    const recordIds =
      flags.record === undefined
        ? undefined
        : await resolveRecordIds(ledger, flags.integration ?? null, [flags.record]);
    const found = await auditRecords(ledger, { ...filter, ...(recordIds ? { recordIds } : {}) });
    return csv ? toCsv(found.records) : JSON.stringify(found, null, 2);
  });
}

/** Lists the remote folder, hashes each file and compares it with the ledger. */
export async function reconcileCommand(integrationId: string) {
  return withRuntime(async ({ ledger, integration }) => {
    const rt = integration(integrationId);
    const remote = await listRemoteFolder(rt.sftp, { hash: true });
    const primary = await reconcile(ledger, integrationId, remote, { folder: rt.sftp.folder });
    if (rt.destinations.length === 0) return primary;
    // Each further destination's folder against the files (its own bytes) the ledger sent there.
    const destinations = [];
    for (const d of rt.destinations) {
      const listing = await listRemoteFolder(d.sftp, { hash: true });
      destinations.push({
        destination: d.id,
        folder: d.sftp.folder,
        ...(await reconcileDestination(ledger, integrationId, d.id, listing)),
      });
    }
    return { ...primary, destinations };
  });
}

export async function replayCommand(
  env: RuntimeEnv,
  integrationId: string,
  fileName: string,
  reason: string | undefined,
  /** A further destination's ID: the file replayed there (its own bytes); default the primary. */
  destination?: string,
) {
  if (!reason) throw new UsageError('replay: needs --reason "…" (it is recorded with the delivery)');
  const session = await temporalClient();
  const taskQueue = env.ML_CONNECTOR_TASK_QUEUE;
  try {
    await requireWorker(session, taskQueue, 'no replay was started');
    const workflowId = replayWorkflowId(integrationId, new Date());
    return await aboutWorkflow(
      workflowId,
      (async () => {
        const handle = await session.client.workflow.start(replayFile, {
          taskQueue,
          workflowId,
          args: [{ integrationId, fileName, reason, ...(destination ? { destination } : {}) }],
        });
        return whileWorkerPolls(session, taskQueue, `replay ${workflowId}`, handle.result());
      })(),
    );
  } finally {
    await session.close();
  }
}

export async function previewCommand(integrationId: string, out: string | undefined) {
  return withRuntime(async ({ ledger, integration }) => {
    const { text, ...preview } = await previewNextFile(ledger, integration(integrationId));
    if (out && text) writeFileSync(out, text);
    return { ...preview, ...(out && text ? { writtenTo: out } : {}) };
  });
}
