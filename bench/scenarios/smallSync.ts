import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { request } from 'undici';
import type { Stack } from '../../dev/stack';
import type { WorkerProcess } from '../../dev/workerProcess';
import { DEFAULT_SCOPE, FusionSimulator } from '../../simulator/server';
import { expandParam, windowFilter } from '../../src/fusion/documents';
import { journalLinesReader } from '../../src/fusion/entities/journalLines';
import { keysetRequest, START_OF_WINDOW } from '../../src/fusion/paging';
import { CLIENT_ID, CLIENT_SECRET, integration, log, type Options, round, startBenchWorker } from '../common';
import { rawUploads } from '../limit';
import { measuredSync, phaseTotals } from '../measure';

// Scenario 4: the small sync. After one full sync, `runs` incremental syncs one after another,
// each after `changed` lines were changed in the simulator, measured end to end (p50/p95), beside
// two floors taken in the same run: the raw I/O such a sync cannot do without (a token, one GET
// of the window, one OpenSSH put of a small file) and Temporal's own cost for a workflow that runs
// as many no-op activities of each kind (activities, local activities) as the sync did, in the
// same order (a worker in the bench's process).

export interface SmallSyncResult {
  runs: number;
  changedPerRun: number;
  sentPerRun: number[];
  wall: { p50: number; p95: number; min: number; max: number };
  /** p50 seconds of each phase across the runs (stage, render, upload, commit, other, workflow). */
  phasesP50: Record<string, number>;
  /**
   * p50 seconds of what lies between the activities: the workflow tasks' queueing (scheduled →
   * started) and their run in the worker (started → completed), and the activity tasks' queueing.
   */
  betweenP50: { workflowTasks: number; taskQueued: number; taskRun: number; activityQueued: number };
  activitiesPerSync: number;
  /** Of them, local activities (the short calls): the no-op floor runs as many of each kind. */
  localActivitiesPerSync: number;
  floors: {
    token: number;
    get: number;
    put: number;
    rawIo: number;
    temporalNoop: number;
    /** rawIo + temporalNoop: what a sync of this size cannot go below here. */
    total: number;
  };
  /** p50 end to end ÷ floors.total. */
  ratio: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
};

export async function runSmallSync(stack: Stack, o: Options): Promise<SmallSyncResult> {
  const runs = o.smallSyncRuns;
  const changed = 10;
  log(`Small sync: ${runs} incremental syncs, each after ${changed} changed lines`);
  const db = await stack.scratchDatabase('mlc_bench');
  const lines = 2000;
  const sim = new FusionSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    generated: { journalLines: lines, from: Math.floor(Date.now() / 86_400_000 - 30) * 86_400_000 },
  });
  const simUrl = await sim.listen();
  const id = 'bench-small-sync';
  const taskQueue = `bench-${randomUUID()}`;
  const config = { integrations: [integration(id, simUrl, stack.sshd, { overlapSeconds: 1 })] };
  let worker: WorkerProcess | null = null;
  try {
    worker = await startBenchWorker(stack, o, {
      scenario: 'small-sync',
      config,
      databaseUrl: db.url,
      taskQueue,
    });
    const first = await measuredSync(stack, worker, taskQueue, id);
    if (first.result.file) rmSync(join(stack.sshd.folder, first.result.file.fileName), { force: true });
    const walls: number[] = [];
    const sent: number[] = [];
    const phases: Record<string, number[]> = {};
    const between: Record<keyof SmallSyncResult['betweenP50'], number[]> = {
      workflowTasks: [],
      taskQueued: [],
      taskRun: [],
      activityQueued: [],
    };
    let activities = 0;
    let locals = 0;
    let window = { from: first.result.windowTo, to: first.result.windowTo };
    let fileName = '';
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < changed; i++) {
        const line = sim.generator!.lineAt(Math.floor(Math.random() * lines));
        sim.journals.updateLine(Number(line.JeHeaderId), Number(line.JeLineNumber), {
          Description: `small sync ${r}.${i}`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the 1 s overlap
      const sync = await measuredSync(stack, worker, taskQueue, id);
      walls.push(sync.wallSeconds);
      sent.push(sync.result.sent);
      locals = sync.history.localActivities.length;
      activities = sync.phases.length + locals;
      const tasks = sync.history.workflowTasks;
      between.workflowTasks.push(tasks.length);
      between.taskQueued.push(tasks.reduce((a, t) => a + t.queuedMs, 0) / 1000);
      between.taskRun.push(tasks.reduce((a, t) => a + t.runMs, 0) / 1000);
      between.activityQueued.push(sync.phases.reduce((a, p) => a + p.queueSeconds, 0));
      for (const [k, v] of Object.entries(phaseTotals(sync))) {
        phases[k] = [...(phases[k] ?? []), v];
      }
      window = { from: sync.result.windowFrom, to: sync.result.windowTo };
      if (sync.result.file) {
        fileName = join(stack.sshd.folder, sync.result.file.fileName);
        if (r < runs - 1) rmSync(fileName, { force: true });
      }
    }
    await worker.stop();
    worker = null;

    log('  floors: token + one GET (undici), one OpenSSH put, Temporal with no-op activities');
    const tokens: number[] = [];
    const gets: number[] = [];
    const spec = journalLinesReader.spec;
    const query = keysetRequest(windowFilter(spec, window, true), spec.key, START_OF_WINDOW);
    const url = new URL(`${simUrl}/fscmRestApi/resources/11.13.18.05/${spec.resource}`);
    for (const [k, v] of Object.entries({ ...query, limit: '100', offset: '0', onlyData: 'true' }))
      url.searchParams.set(k, v);
    url.searchParams.set('expand', expandParam(spec.children));
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      const res = await request(`${simUrl}/oauth2/v1/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: DEFAULT_SCOPE }).toString(),
      });
      const { access_token } = (await res.body.json()) as { access_token: string };
      tokens.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      const page = await request(url, {
        headers: { authorization: `Bearer ${access_token}`, 'rest-framework-version': '4' },
      });
      JSON.parse(await page.body.text());
      if (page.statusCode !== 200) throw new Error(`the floor's GET answered ${page.statusCode}`);
      gets.push((performance.now() - t0) / 1000);
    }
    let small = fileName;
    if (!small) {
      small = join(stack.sshd.dir, 'bench-small.csv');
      writeFileSync(small, 'x'.repeat(2000));
    }
    const puts = await rawUploads(stack.sshd, small, runs);
    rmSync(small, { force: true });

    const noopQueue = `bench-noop-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: stack.temporal.address });
    const noopWorker = await Worker.create({
      connection,
      taskQueue: noopQueue,
      workflowsPath: require.resolve('../noop-workflow'),
      activities: { noop: async () => undefined },
    });
    const noops: number[] = [];
    await noopWorker.runUntil(async () => {
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await stack.client.workflow.execute('noopActivities', {
          taskQueue: noopQueue,
          workflowId: `bench-noop-${randomUUID()}`,
          args: [activities - locals, locals],
        });
        noops.push((performance.now() - t0) / 1000);
      }
    });
    await connection.close();

    const p50 = (xs: number[]) => round(quantile(xs, 0.5), 3);
    const rawIo = p50(tokens) + p50(gets) + p50(puts);
    const total = rawIo + p50(noops);
    const result: SmallSyncResult = {
      runs,
      changedPerRun: changed,
      sentPerRun: sent,
      wall: {
        p50: p50(walls),
        p95: round(quantile(walls, 0.95), 3),
        min: round(Math.min(...walls), 3),
        max: round(Math.max(...walls), 3),
      },
      phasesP50: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, p50(v)])),
      betweenP50: {
        workflowTasks: p50(between.workflowTasks),
        taskQueued: p50(between.taskQueued),
        taskRun: p50(between.taskRun),
        activityQueued: p50(between.activityQueued),
      },
      activitiesPerSync: activities,
      localActivitiesPerSync: locals,
      floors: {
        token: p50(tokens),
        get: p50(gets),
        put: p50(puts),
        rawIo: round(rawIo, 3),
        temporalNoop: p50(noops),
        total: round(total, 3),
      },
      ratio: round(p50(walls) / total),
    };
    log(`  p50 ${result.wall.p50} s, p95 ${result.wall.p95} s; floors ${result.floors.total} s`);
    return result;
  } catch (err) {
    await worker?.stop();
    throw err;
  } finally {
    await sim.close();
    await db.dispose().catch(() => undefined);
  }
}
