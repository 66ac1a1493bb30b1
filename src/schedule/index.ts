import { CronExpressionParser } from 'cron-parser';

// When an integration's next sync and next deadline fall, from its cron expressions in its time
// zone. Computed in an activity (its result is recorded in history), so workflow code stays
// deterministic and free of time-zone tables.

export interface ScheduleSpec {
  cron: string[];
  timezone: string;
  deadlines: { cutoff: string; label?: string }[];
}

/** The earliest fire time of any expression strictly after `after`. */
export function nextFire(expressions: string[], timezone: string, after: Date): Date | null {
  let best: Date | null = null;
  for (const expression of expressions) {
    const next = CronExpressionParser.parse(expression, { currentDate: after, tz: timezone }).next().toDate();
    if (!best || next < best) best = next;
  }
  return best;
}

/** The latest fire time at or before `at`. */
export function previousFire(expression: string, timezone: string, at: Date): Date {
  // cron-parser's prev() is strictly before currentDate: start a millisecond later.
  return CronExpressionParser.parse(expression, { currentDate: new Date(at.getTime() + 1), tz: timezone })
    .prev()
    .toDate();
}

export interface PlannedTimes {
  /** The next scheduled sync. */
  runAt: string | null;
  /** The next deadline, and the window it checks: a file committed after `since`. */
  deadline: { at: string; since: string; label: string } | null;
}

export function planAfter(schedule: ScheduleSpec, after: Date): PlannedTimes {
  const runAt = nextFire(schedule.cron, schedule.timezone, after);
  let deadline: PlannedTimes['deadline'] = null;
  for (const d of schedule.deadlines) {
    const at = nextFire([d.cutoff], schedule.timezone, after)!;
    if (!deadline || at.toISOString() < deadline.at) {
      const since = previousFire(d.cutoff, schedule.timezone, new Date(at.getTime() - 1));
      deadline = { at: at.toISOString(), since: since.toISOString(), label: d.label ?? d.cutoff };
    }
  }
  return { runAt: runAt?.toISOString() ?? null, deadline };
}
