import { createAcknowledgementActivities } from './acknowledgements';
import { createAlertActivities } from './alerts';
import { createCommitActivities } from './commit';
import { createDeliveryActivities } from './delivery';
import type { ActivityDeps } from './deps';
import { createKeyActivities } from './keys';
import { createRenderActivities } from './render';
import { createRunActivities } from './runs';
import { createScheduleActivities } from './schedule';
import { createStagingActivities } from './staging';

export type { ActivityDeps, Failpoint } from './deps';

// Thin adapters between the workflow and fusion/formats/sftp/ledger, one module per step group,
// each a factory over the same deps (deps.ts). Inputs and results are small references (run keys,
// file IDs, counts): record data stays in Postgres.
//
// The methods the groups return are the activity names workflows call and recorded histories
// hold: never rename one, and no two groups may share one (test/unit/activity-names.test.ts).

/** Every activity group, by the step of a run it serves. */
export const ACTIVITY_GROUPS = {
  schedule: createScheduleActivities,
  runs: createRunActivities,
  alerts: createAlertActivities,
  staging: createStagingActivities,
  render: createRenderActivities,
  delivery: createDeliveryActivities,
  commit: createCommitActivities,
  keys: createKeyActivities,
  acknowledgements: createAcknowledgementActivities,
} as const;

export function createActivities(deps: ActivityDeps) {
  return {
    ...ACTIVITY_GROUPS.schedule(deps),
    ...ACTIVITY_GROUPS.runs(deps),
    ...ACTIVITY_GROUPS.alerts(deps),
    ...ACTIVITY_GROUPS.staging(deps),
    ...ACTIVITY_GROUPS.render(deps),
    ...ACTIVITY_GROUPS.delivery(deps),
    ...ACTIVITY_GROUPS.commit(deps),
    ...ACTIVITY_GROUPS.keys(deps),
    ...ACTIVITY_GROUPS.acknowledgements(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
