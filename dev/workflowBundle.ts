import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

// The workflows bundled once per process, as the image bundles them at build time: the code for an
// in-process worker, and the same code as a file for a worker process (ML_CONNECTOR_WORKFLOW_BUNDLE),
// so no worker the tests or the benchmark start runs webpack itself.

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

let code: Promise<{ code: string }> | null = null;
export function workflowBundle(): Promise<{ code: string }> {
  code ??= bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quiet });
  return code;
}

let file: Promise<string> | null = null;
/** The bundle written to a temp file, removed when this process exits. */
export function workflowBundleFile(): Promise<string> {
  file ??= workflowBundle().then(({ code }) => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'workflow-bundle.js');
    writeFileSync(path, code);
    return path;
  });
  return file;
}
