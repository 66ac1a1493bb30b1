// The run state machine, written once. Every statement that changes a run's status takes its
// allowed source statuses from here (`WHERE status = ANY($from)`, runs.ts moveRun): a move the
// table does not allow matches no row, changes nothing and is refused with a RunTransitionError.
//
//   staging ─► staged ─► rendered ─► uploaded ─► committed
//      │         ├──────────────────────────────► committed   (no file: every record rejected, or none)
//      └─────────┴─► failed                                   (before a file exists: nothing was sent)
//
// A run whose file was rendered never becomes `failed`: it stays rendered or uploaded, marked with
// failed_at, until the next sync (or an admin) delivers it (Ledger.recordRunFailure).

export const RUN_STATUSES = ['staging', 'staged', 'rendered', 'uploaded', 'committed', 'failed'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

/** The status a run is opened in. */
export const INITIAL_RUN_STATUS = 'staging' satisfies RunStatus;

/**
 * A run that failed before it could be opened (the Fusion token, authentication): it is recorded
 * as opened and failed in one step, the table's staging → failed, so `failures` lists it with its
 * window, stage and reason (runs.ts recordFailedStart).
 */
export const FAILED_BEFORE_OPEN = 'failed' satisfies RunStatus;

/** Each run status → the statuses a run in it may move to. */
export const RUN_TRANSITIONS: { readonly [S in RunStatus]: readonly RunStatus[] } = {
  staging: ['staged', 'failed'],
  staged: ['rendered', 'committed', 'failed'],
  rendered: ['uploaded'],
  uploaded: ['committed'],
  committed: [],
  failed: [],
};

export function canMoveRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** The statuses from which a run may move to `to`: the `$from` of a status-changing UPDATE. */
export function runStatusesInto(to: RunStatus): RunStatus[] {
  return RUN_STATUSES.filter((from) => canMoveRun(from, to));
}

/** A run in a terminal status never changes again. */
export function isTerminalRunStatus(status: RunStatus): boolean {
  return RUN_TRANSITIONS[status].length === 0;
}

/** Terminal statuses: what "closed" means in queries over open runs (`status <> ALL($terminal)`). */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter(isTerminalRunStatus);

/** Open statuses: a run in one of them may still move. */
export const OPEN_RUN_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => !isTerminalRunStatus(s));

/** A status change the state machine does not allow (or a run that does not exist). */
export class RunTransitionError extends Error {
  constructor(
    readonly runKey: string,
    readonly from: RunStatus | null,
    readonly to: RunStatus,
  ) {
    super(
      from === null
        ? `Run ${runKey} does not exist; cannot move it to ${to}`
        : `Run ${runKey} is ${from}; it cannot move to ${to} (from ${from} a run may move to ${
            RUN_TRANSITIONS[from].join(' or ') || 'nothing: it is final'
          })`,
    );
    this.name = 'RunTransitionError';
  }
}
