import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../dev/stack';
import type { WorkerProcess } from '../../dev/workerProcess';
import { DEFAULT_SCOPE } from '../../simulator/server';
import { EXPANDED_PAGE_SIZE } from '../../src/fusion/documents';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  fullSyncFusion,
  generatedJournalLines,
  integration,
  log,
  MB,
  type Options,
  REPO,
  round,
  startBenchWorker,
} from '../common';
import { median, rawUploads, runRawPaging } from '../limit';
import { measuredSync, type PhaseFigure, phaseTotals } from '../measure';
import { latestProfile, type ProfileSlice, summariseProfile } from '../profile';
import type { RawPagingResult } from '../raw-paging';
import { type CpuGroup, peakRss } from '../sampler';

// Scenario 1: one full sync of N generated journal lines through the real workflow and a worker
// process, beside the limit measured in the same run.

export interface SizeResult {
  lines: number;
  pageSize: number;
  /** fusion.parallelPages of the sync; null: unset, the adaptive read (the shipped default). */
  parallelPages: number | null;
  sync: {
    wallSeconds: number;
    extracted: number;
    sent: number;
    quarantined: number;
    fileBytes: number;
    recordsPerSecond: number;
    mbPerSecond: number;
    window: { from: string; to: string };
  };
  phases: Record<string, number>;
  phaseDetail: PhaseFigure[];
  cpuPercent: Record<CpuGroup, number>;
  memory: { rssBeforeSyncMB: number; peakRssDuringSyncMB: number; vmHwmMB: number; method: string };
  temporal: {
    historyEvents: number;
    historyBytes: number;
    payloads: number;
    largestPayloadBytes: number;
    largestPayloadIn: string;
  };
  limit: {
    rawPaging: RawPagingResult & { recordsPerSecond: number; jsonMB: number };
    rawUpload: { seconds: number; runs: number[]; mbPerSecond: number };
    limitSeconds: number;
    ratio: number;
  };
  profile?: ProfileSlice[];
}

export async function runSize(stack: Stack, lines: number, o: Options): Promise<SizeResult> {
  log(
    `Full sync of ${lines.toLocaleString('en-US')} journal lines (pageSize ${o.pageSize}, expand on: ` +
      `${Math.min(o.pageSize, EXPANDED_PAGE_SIZE)} batches a request, parallelPages ${o.parallelPages ?? 'unset: adaptive'})`,
  );
  const db = await stack.scratchDatabase('mlc_bench');
  const sim = generatedJournalLines(lines);
  const simUrl = await sim.listen();
  const integrationId = 'bench-journal-lines';
  const taskQueue = `bench-${randomUUID()}`;
  const profileDir = o.profile ? join(REPO, `bench/results/profiles/size-${lines}`) : null;
  const config = {
    integrations: [integration(integrationId, simUrl, stack.sshd, fullSyncFusion(o))],
  };
  let worker: WorkerProcess | null = null;
  try {
    worker = await startBenchWorker(stack, o, {
      scenario: `size-${lines}`,
      config,
      databaseUrl: db.url,
      taskQueue,
      profileDir,
    });
    const sync = await measuredSync(stack, worker, taskQueue, integrationId);
    const vmHwm = peakRss(worker.pid);
    await worker.stop();
    const { result } = sync;
    if (!result.file) throw new Error(`The sync delivered no file: ${JSON.stringify(result)}`);
    const fileBytes = result.file.byteCount;
    log(
      `  synced in ${sync.wallSeconds.toFixed(1)} s: ${result.sent} lines, ${(fileBytes / MB).toFixed(1)} MB`,
    );

    let profile: ProfileSlice[] | undefined;
    const profilePath = profileDir ? latestProfile(profileDir) : null;
    if (profilePath) {
      profile = summariseProfile(
        profilePath,
        sync.phases
          .filter((p) => p.phase !== 'other')
          .map((p) => ({ name: p.phase, from: p.from, to: p.to })),
      );
    }

    log('  limit: raw paging of the same window (undici + JSON.parse, own process)');
    const raw = await runRawPaging({
      simUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: DEFAULT_SCOPE,
      window: { from: result.windowFrom, to: result.windowTo },
      pageSize: o.pageSize,
      frameworkVersion: 4,
    });
    log(`  limit: OpenSSH sftp upload of the same ${(fileBytes / MB).toFixed(1)} MB × ${o.uploadRuns}`);
    const localPath = join(stack.sshd.folder, result.file.fileName);
    const uploads = await rawUploads(stack.sshd, localPath, o.uploadRuns);
    const uploadSeconds = median(uploads);
    rmSync(localPath, { force: true });
    const limitSeconds = raw.seconds + uploadSeconds;
    return {
      lines,
      pageSize: o.pageSize,
      parallelPages: o.parallelPages,
      sync: {
        wallSeconds: sync.wallSeconds,
        extracted: result.extracted,
        sent: result.sent,
        quarantined: result.quarantined,
        fileBytes,
        recordsPerSecond: Math.round(result.sent / sync.wallSeconds),
        mbPerSecond: round(fileBytes / MB / sync.wallSeconds),
        window: { from: result.windowFrom, to: result.windowTo },
      },
      phases: phaseTotals(sync),
      phaseDetail: sync.phases,
      cpuPercent: sync.cpuPercent,
      memory: {
        rssBeforeSyncMB: round(sync.rssBeforeSyncBytes / MB, 1),
        peakRssDuringSyncMB: round(sync.peakRssDuringSyncBytes / MB, 1),
        vmHwmMB: round(vmHwm / MB, 1),
        method: `worker as a child process (${o.worker === 'tsx' ? 'node --import tsx src/worker.ts' : 'node dist/src/worker.js'}); /proc/<pid>/status VmRSS every 100 ms, VmHWM at the end`,
      },
      temporal: {
        historyEvents: sync.history.events,
        historyBytes: sync.history.historyBytes,
        payloads: sync.history.payloads,
        largestPayloadBytes: sync.history.largestPayload.bytes,
        largestPayloadIn: sync.history.largestPayload.where,
      },
      limit: {
        rawPaging: {
          ...raw,
          seconds: round(raw.seconds, 3),
          recordsPerSecond: Math.round(raw.lines / raw.seconds),
          jsonMB: round(raw.bytes / MB, 1),
        },
        rawUpload: {
          seconds: round(uploadSeconds, 3),
          runs: uploads.map((s) => round(s, 3)),
          mbPerSecond: round(fileBytes / MB / uploadSeconds),
        },
        limitSeconds: round(limitSeconds, 3),
        ratio: round(sync.wallSeconds / limitSeconds),
      },
      ...(profile ? { profile } : {}),
    };
  } catch (err) {
    await worker?.stop();
    throw err;
  } finally {
    await sim.close();
    await db.dispose().catch(() => undefined);
  }
}
