import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

// Temporal's own cost, for the small-sync floor: a workflow that runs as many activities of each
// kind as a sync does, doing nothing, one after another: first `local` local activities (the
// sync's short calls run so), then `n` activities.

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30s' });

export async function noopActivities(n: number, locals = 0): Promise<void> {
  for (let i = 0; i < locals; i++) await local.noop();
  for (let i = 0; i < n; i++) await noop();
}
