import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import { requestResync } from '../../src/client/integration';
import { followResync, statusCommand } from '../../src/client/operate';
import type { LiveLine } from '../../src/client/progress';
import { type StatusReport, statusReport } from '../../src/client/status';
import { syncCommand } from '../../src/client/sync';
import { readRuntimeEnv } from '../../src/config';
import { createMetrics } from '../../src/observability/metrics';
import type { SyncResult } from '../../src/shared';
import { integrationWorkflowId } from '../../src/shared/workflowIds';
import { integrationWorkflow } from '../../src/workflows';
import { integrationConfig, startTestStack, startWorker, type TestStack } from '../support/stack';
import { startSync, sync } from '../support/sync';

// `status` and live progress on real services: status built from the ledger after an ad-hoc sync
// (no integration workflow started), a slow sync seen while it runs (stage, growing counts in the
// ledger, heartbeat details past the first page, metrics counted per page), and `resync --wait`
// ending at its final count for a one-window `all` and for a range.

const GL = 'gl-journal-lines';

/** A LiveLine that keeps what would have been drawn. */
function recordingLine(): LiveLine & { updates: string[]; final: string | null } {
  const line = {
    updates: [] as string[],
    final: null as string | null,
    update(text: string) {
      line.updates.push(text);
    },
    done(text: string) {
      line.final = text;
    },
    clear() {
      line.final = null;
    },
  };
  return line;
}

describe('status and live progress', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let worker: { stop(): Promise<void> };
  const metrics = createMetrics({ integrations: [GL], defaultMetrics: false });

  const extractedMetric = async () => {
    const metric = await metrics.registry.getSingleMetric('mlc_records_extracted_total')!.get();
    return metric.values.find((v) => v.labels.integration === GL)?.value ?? 0;
  };

  before(async () => {
    stack = await startTestStack({
      integrations: (simUrl, sshd) => {
        const gl = integrationConfig(simUrl, sshd);
        return [
          {
            ...gl,
            // Two documents a page: a slow sync crosses many pages. A far-away schedule, so the
            // integration workflow of the resync test never syncs by itself.
            fusion: { ...(gl.fusion as Record<string, unknown>), pageSize: 2 },
            schedule: { cron: ['0 0 1 1 *'], timezone: 'UTC' },
          },
        ];
      },
    });
    worker = await startWorker(stack, { metrics });
  });

  after(async () => {
    await stack?.client.workflow
      .getHandle(integrationWorkflowId(GL))
      .terminate('test over')
      .catch(() => undefined);
    await worker?.stop();
    await stack?.close();
  });

  it('right after an ad-hoc sync (no integration workflow): watermark, last file, run count from the ledger', async () => {
    const result = await sync(stack);
    assert.ok(result.file, 'the first sync delivers a file');
    const status = await statusReport(stack.client, stack.ledger, GL);
    assert.equal(status.watermark, result.watermark);
    assert.equal(status.lastFile?.fileName, result.file.fileName);
    assert.equal(status.lastFile?.records, result.sent);
    assert.equal(status.lastRun?.runKey, result.runKey);
    assert.equal(status.lastRun?.status, 'committed');
    assert.deepEqual(
      { total: status.counts.total, committed: status.counts.committed, open: status.counts.open },
      { total: 1, committed: 1, open: 0 },
    );
    assert.equal(status.counts.delivered, result.sent);
    assert.deepEqual(status.running, []);
    assert.deepEqual(status.openFailures, []);
    assert.equal(status.schedule, null, 'no integration workflow: no schedule, and no error');
    assert.equal(status.scheduleError, undefined);
  });

  it('during a slow sync: running with its stage and growing counts, fresh heartbeats, metrics per page', async () => {
    for (let i = 0; i < 40; i++) {
      stack.sim.journals.createJournal({
        batchName: `Slow batch ${i}`,
        headers: [
          {
            journalName: `Slow journal ${i}`,
            periodName: 'Nov-26',
            accountingDate: '2026-11-26',
            lines: [
              { accountCombination: '101-20-60010-000', enteredDr: `${i + 1}.25` },
              { accountCombination: '101-00-21500-000', enteredCr: `${i + 1}.25` },
            ],
          },
        ],
      });
    }
    await sleep(1100); // the new rows' stamps fall before the next window's end
    stack.sim.faults.set({ latency: { ms: 300 } });
    const metricBefore = await extractedMetric();
    const handle = await startSync(stack);
    const samples: StatusReport['running'] = [];
    const heartbeatPages: number[] = [];
    const metricDuringExtract: number[] = [];
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const status = await statusReport(stack.client, stack.ledger, GL);
        const run = status.running[0];
        if (run) samples.push(run);
        if (run?.stage === 'extract') metricDuringExtract.push((await extractedMetric()) - metricBefore);
        const desc = await handle.describe();
        for (const pending of desc.raw.pendingActivities ?? []) {
          const payload = pending.heartbeatDetails?.payloads?.[0];
          if (pending.activityType?.name === 'stageChanges' && payload) {
            const details = defaultPayloadConverter.fromPayload<{ pages?: number }>(payload);
            if (details.pages) heartbeatPages.push(details.pages);
          }
        }
        if (desc.status.name !== 'RUNNING' || Date.now() > deadline) break;
        await sleep(300);
      }
    } finally {
      stack.sim.faults.clear();
    }
    const result = await handle.result();
    assert.ok(result.extracted >= 80, `the sync read the new lines (${result.extracted})`);

    const extracting = samples.filter((s) => s.stage === 'extract');
    assert.ok(extracting.length >= 2, `status saw the extraction (${samples.length} samples)`);
    const first = extracting[0]!;
    assert.equal(first.startedBy, 'sync');
    assert.equal(first.kind, 'sync');
    assert.equal(first.runKey, result.runKey);
    const counts = extracting.map((s) => s.progress.extracted ?? 0);
    assert.ok(
      counts.some((c, i) => i > 0 && c > counts[i - 1]!),
      `the extracted count grew while it ran: ${counts.join(', ')}`,
    );
    // The extract stage's last write carries the full count, so look for a sample taken before it.
    assert.ok(
      counts.some((c) => c < result.extracted),
      `seen before the end of the extraction: ${counts.join(', ')}`,
    );
    assert.ok(
      Math.max(...heartbeatPages) > 1,
      `heartbeat details moved past the first page: ${heartbeatPages.join(', ')}`,
    );
    assert.ok(
      metricDuringExtract.some((v) => v > 0 && v < result.extracted),
      `the extracted metric rose during the extraction: ${metricDuringExtract.join(', ')}`,
    );
    assert.equal((await extractedMetric()) - metricBefore, result.extracted, 'and ends at the total');
    // The worker wires each integration's adaptive Fusion limit (parallelPages unset) to its metrics.
    const atOnce = await metrics.registry.getSingleMetric('mlc_fusion_requests_at_once')!.get();
    const limit = atOnce.values.find((v) => v.labels.integration === GL)?.value;
    assert.ok(limit !== undefined && limit >= 1, `requests at once: ${limit}`);

    const after = await statusReport(stack.client, stack.ledger, GL);
    assert.deepEqual(after.running, []);
    assert.equal(after.watermark, result.watermark);
    assert.equal(after.lastFile?.fileName, result.file?.fileName);
    assert.equal(after.counts.committed, 2);
    const row = await stack.ledger.runProgress(result.runKey);
    assert.equal(row?.progress.extracted, result.extracted, 'the final progress is the run total');
    assert.equal(row?.progress.bytesUploaded, result.file?.byteCount);
  });

  it('resync --wait ends at 100 % for --all (one window) and for a range (four windows)', async () => {
    await stack.client.workflow.start(integrationWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: integrationWorkflowId(GL),
      args: [{ integrationId: GL }],
    });
    const all = { mode: 'all' as const, reason: 'partner reload', requestId: 'status-test-all' };
    await requestResync(stack.client, GL, all);
    const allLine = recordingLine();
    const allDone = await followResync(stack.client, GL, all, { ledger: stack.ledger, line: allLine });
    assert.match(allLine.final ?? '', /^\[#{30}\] 1\/1 windows, \d+ sent$/);
    assert.ok(
      allLine.updates.every((u) => / [01]\/1 windows/.test(u) || / starting$/.test(u)),
      `never 0/0: ${allLine.updates.join(' | ')}`,
    );
    assert.equal(allDone.lastResync?.windowsDone, 1);
    assert.equal(allDone.lastResync?.request.requestId, all.requestId);
    assert.ok((allDone.lastResync?.sent ?? 0) > 0, 'everything was sent again');

    const range = {
      mode: 'range' as const,
      from: '2026-10-01T00:00:00Z',
      to: '2026-10-02T00:00:00Z',
      windowHours: 6,
      reason: 'backfill of 1 October',
      requestId: 'status-test-range',
    };
    await requestResync(stack.client, GL, range);
    const rangeLine = recordingLine();
    await followResync(stack.client, GL, range, { ledger: stack.ledger, line: rangeLine, pollMs: 100 });
    assert.match(rangeLine.final ?? '', /^\[#{30}\] 4\/4 windows, \d+ sent$/);
    assert.ok(
      rangeLine.updates.every((u) => / [0-4]\/4 windows/.test(u) || / starting$/.test(u)),
      `a total of 4 from the start: ${rangeLine.updates.join(' | ')}`,
    );

    // status now shows the workflow's schedule beside the ledger's view, resends counted.
    const status = await statusReport(stack.client, stack.ledger, GL);
    assert.equal(status.schedule?.paused, false);
    assert.ok(status.schedule?.nextRun);
    assert.equal(status.schedule?.lastResync?.windowsTotal, 4);
    assert.equal(status.counts.resends, 5);
  });

  it('the CLI: sync draws its progress and ends at 100 %; status --watch redraws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-status-'));
    const configPath = join(dir, 'ml-connector.config.json');
    writeFileSync(configPath, JSON.stringify(stack.rawConfig));
    const env = readRuntimeEnv({
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporal.address,
      ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
      ML_CONNECTOR_CONFIG: configPath,
    });
    const line = recordingLine();
    const result = (await syncCommand(env, GL, true, line)) as SyncResult;
    assert.match(line.final ?? '', new RegExp(`^\\[#{20}\\] 100 % ${GL}: committed, ${result.sent} sent$`));
    assert.ok(
      line.updates.every((u) => !/100 %/.test(u)),
      'only the end is 100 %',
    );

    const writes: string[] = [];
    const out = { isTTY: false, write: (t: string) => writes.push(t) } as unknown as NodeJS.WriteStream;
    await statusCommand(env, GL, { intervalMs: 500, times: 2, out });
    assert.equal(writes.length, 2, 'two reports, one after the other');
    for (const text of writes) {
      const report = JSON.parse(text) as StatusReport & { at: string };
      assert.equal(report.lastRun?.runKey, result.runKey);
      assert.equal(report.watermark, result.watermark);
      assert.ok(report.schedule, 'the integration workflow runs now');
    }
  });
});
