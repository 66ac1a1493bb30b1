import { heartbeat, log } from '@temporalio/activity';
import type { Ledger, RunProgress } from '../ledger';

// A running activity's progress, in two places: the heartbeat (Temporal's Web UI and CLI show its
// details on the pending activity) and the run's row in the ledger (`status` and the CLI's progress
// line read it). Heartbeats go out on every call (the SDK throttles them); the ledger is written at
// most once per interval, plus once at the end of the stage. Progress is informational: a failed
// write is logged and never fails the run.

/** How often the run's progress is written to the ledger, at most. */
export const PROGRESS_INTERVAL_MS = 1000;

export interface ProgressReporter {
  /** Counts so far (merged into what was reported): heartbeats now, written soon. */
  note(progress: RunProgress, details?: Record<string, unknown>): void;
  /** Writes what was noted now (the end of a stage). */
  flush(): Promise<void>;
}

export function progressReporter(
  ledger: Ledger,
  runKey: string,
  start: RunProgress,
  intervalMs = PROGRESS_INTERVAL_MS,
): ProgressReporter {
  let latest: RunProgress = { ...start };
  let writtenAt = 0;
  let writing: Promise<void> | null = null;
  const write = (): Promise<void> => {
    writtenAt = Date.now();
    const done: Promise<void> = ledger
      .reportRunProgress(runKey, latest)
      .catch((err: Error) => log.warn('Run progress not recorded', { runKey, error: err.message }))
      .then(() => {
        if (writing === done) writing = null;
      });
    writing = done;
    return done;
  };
  void write(); // the stage and its zeroed counts, at once
  return {
    note(progress, details) {
      latest = { ...latest, ...progress };
      heartbeat({ ...latest, ...details });
      if (!writing && Date.now() - writtenAt >= intervalMs) void write();
    },
    async flush() {
      while (writing) await writing;
      await write();
    },
  };
}
