import { ConfigError } from '../config';
import { type PlannedTimes, planAfter } from '../schedule';
import type { IntegrationSettings } from '../shared';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';

// What the workflows plan runs by: an integration's non-secret settings and its cron schedule.

export function createScheduleActivities(deps: ActivityDeps) {
  return {
    /** The non-secret settings the workflow needs to plan a run (retry windows). */
    async integrationSettings(input: { integrationId: string }): Promise<IntegrationSettings> {
      return typedFailures(async () => {
        const { config } = deps.integration(input.integrationId);
        return {
          uploadRetryWindowSeconds: config.sftp.retryWindowMinutes * 60,
          entity: config.entity,
          initialWatermark: new Date(config.fusion.initialWatermark).toISOString(),
          scheduled: config.schedule !== undefined,
          // Only when there are some: a single-destination integration's settings stay as they were.
          ...(config.destinations?.length
            ? {
                destinations: config.destinations.map((d) => ({
                  id: d.id,
                  uploadRetryWindowSeconds: d.retryWindowMinutes * 60,
                })),
              }
            : {}),
          ...(config.sftp.acknowledgements ? { acknowledgements: true } : {}),
        };
      });
    },

    /** The next scheduled sync and the next deadline after a moment, from the integration's cron rules. */
    async planNextTimes(input: { integrationId: string; after: string }): Promise<PlannedTimes> {
      return typedFailures(async () => {
        const { config } = deps.integration(input.integrationId);
        if (!config.schedule) {
          throw new ConfigError(
            `Integration "${config.id}" has no schedule: add "schedule": { "cron": [...] }`,
          );
        }
        return planAfter(config.schedule, new Date(input.after));
      });
    },
  };
}
