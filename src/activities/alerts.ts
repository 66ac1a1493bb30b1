import { log } from '@temporalio/activity';
import { type Alert, sendAlert } from '../alerts';
import type { ActivityDeps } from './deps';

// Alerts: a failure or a missed deadline told to every configured sink.

export function createAlertActivities(deps: ActivityDeps) {
  return {
    /** Sends a failure alert to every configured sink; one sink failing does not stop the others. */
    async sendAlert(input: Omit<Alert, 'at'>): Promise<{ delivered: number; failed: number }> {
      const outcomes = await sendAlert(deps.alertSinks, { ...input, at: new Date().toISOString() });
      for (const o of outcomes) {
        if (!o.ok) log.error('Alert not delivered', { sink: o.sink, error: o.error.message });
      }
      const delivered = outcomes.filter((o) => o.ok).length;
      return { delivered, failed: outcomes.length - delivered };
    },
  };
}
