import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorkerProcess as launch, type WorkerProcess } from '../../dev/workerProcess';
import type { TestStack } from './stack';

// A real worker process (src/worker.ts, started by dev/workerProcess.ts) on the stack's task
// queue: what a deployment runs, and what a fault test can SIGKILL.

export type { WorkerProcess };

export function writeStackConfig(stack: TestStack, name = 'worker.config.json'): string {
  const path = join(stack.sshd.dir, name);
  writeFileSync(path, JSON.stringify(stack.rawConfig));
  return path;
}

export function startWorkerProcess(
  stack: TestStack,
  configPath: string,
  env: Record<string, string> = {},
): WorkerProcess {
  return launch({
    client: stack.client,
    temporalAddress: stack.temporal.address,
    databaseUrl: stack.databaseUrl,
    configPath,
    taskQueue: stack.taskQueue,
    workflowBundlePath: stack.workflowBundlePath,
    env: { ...stack.secretsEnv, ...env },
  });
}
