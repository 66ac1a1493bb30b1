// The steps of one run, named once: the workflows record a failure under the step it happened in,
// the ledger keeps that name with the run, alerts show it and metrics label failures by it.

export const RUN_STAGES = ['token', 'extract', 'render', 'upload', 'commit'] as const;

/** Where a run failed: token (Fusion authentication), extract (read and stage), render, upload, commit. */
export type RunStage = (typeof RUN_STAGES)[number];
