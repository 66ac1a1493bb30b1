import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

// Bundles the workflows once, ahead of time (as Temporal's production sample does): a worker
// started with ML_CONNECTOR_WORKFLOW_BUNDLE=<this file> skips webpack at start, so it starts
// in about a second and never holds the bundler's memory.
//
//   npm run build:workflows [-- <output path>]     (default dist/workflow-bundle.js)

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(JSON.stringify({ msg: 'Workflow bundle written', path: out, bytes: Buffer.byteLength(code) }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
