import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestStack } from './stack';

// A real worker process (src/worker.ts) on the stack's task queue: what a deployment runs, and
// what a fault test can SIGKILL.

export function writeStackConfig(stack: TestStack, name = 'worker.config.json'): string {
  const path = join(stack.sshd.dir, name);
  writeFileSync(path, JSON.stringify(stack.rawConfig));
  return path;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the worker polls its task queue (its "Worker started" line). */
  ready(): Promise<void>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export function startWorkerProcess(
  stack: TestStack,
  configPath: string,
  env: Record<string, string> = {},
): WorkerProcess {
  let output = '';
  // The stack's workflow bundle as a file, as a deployment ships it (ML_CONNECTOR_WORKFLOW_BUNDLE):
  // no webpack run in every worker the fault tests start and kill.
  const bundlePath = join(stack.sshd.dir, 'workflow-bundle.js');
  if (!existsSync(bundlePath)) writeFileSync(bundlePath, stack.workflowBundle.code);
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/worker.ts')], {
    env: {
      ...process.env,
      ...stack.secretsEnv,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporal.address,
      ML_CONNECTOR_CONFIG: configPath,
      ML_CONNECTOR_TASK_QUEUE: stack.taskQueue,
      ML_CONNECTOR_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ML_CONNECTOR_WORKFLOW_BUNDLE: bundlePath,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
      : new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.once('exit', (code, signal) => resolve({ code, signal })),
        );
  return {
    child,
    output: () => output,
    ready: async () => {
      while (!output.includes('"msg":"Worker started"')) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`worker exited:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited();
    },
  };
}
