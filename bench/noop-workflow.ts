import { proxyActivities } from '@temporalio/workflow';

// Temporal's own cost, for the small-sync floor: a workflow that runs `n` activities that do
// nothing, one after another, as a sync runs its activities.

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30s' });

export async function noopActivities(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await noop();
}
